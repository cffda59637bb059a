"""Telling the live chat pages that a chat changed, through the channel layer.

Only the chat id travels through the layer (in memory, or Redis with ``REDIS_URL``):
never a text. Each open WebSocket then reads the new messages for its own user, through
``services.lines``, so access is checked on every delivery.
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

log = logging.getLogger("carnet.chat")


def group(chat_id: int) -> str:
    return f"chat.{int(chat_id)}"


def changed(chat_id: int) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group(chat_id), {"type": "chat.changed"})
    except Exception:  # the polling fallback still delivers; never lose the message itself
        log.exception("could not reach the channel layer for chat %s", chat_id)
