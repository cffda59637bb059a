"""The live chat over WebSocket (Django Channels).

The socket is a faster road to the same services as the HTML form and the polling
endpoint: every message sent and every delivery asks ``services`` as the signed-in user,
so a stranger's socket is closed before it joins, and a participant who loses access
(a revoked proxy) gets nothing more. The client sends ``{"text": …}`` to write and
``{"after": id}`` to catch up; the server sends ``{"status", "practitioner",
"messages": [...]}``.

The socket lives only as long as the session that opened it: every frame in and every
delivery asks the session store again (``accounts.sessions.still_signed_in``), so signing
out, closing the session from another device, a new password or a deactivated account
close it too. A frame larger than ``MAX_FRAME`` closes the socket unread.
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from carnet.access.services import Actor, NotFound
from carnet.accounts import sessions

from . import live, services

NOT_ALLOWED = 4404
SIGNED_OUT = 4401
TOO_BIG = 1009  # RFC 6455: message too big
# A message is at most services.MAX_TEXT characters; JSON escapes can make it 6 × longer.
MAX_FRAME = 6 * services.MAX_TEXT + 256


class ChatConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.chat_id = int(self.scope["url_route"]["kwargs"]["chat_id"])
        self.last = 0
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=NOT_ALLOWED)
            return
        self.actor = Actor.of_user(user)
        self.session_key = getattr(self.scope.get("session"), "session_key", None)
        try:
            await database_sync_to_async(services.side)(self.actor, self.chat_id)
        except NotFound:
            await self.close(code=NOT_ALLOWED)
            return
        await self.channel_layer.group_add(live.group(self.chat_id), self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if hasattr(self, "actor"):
            await self.channel_layer.group_discard(live.group(self.chat_id), self.channel_name)

    def _signed_in(self) -> bool:
        return sessions.still_signed_in(self.session_key, self.actor.user_id)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if bytes_data is not None or text_data is None or len(text_data) > MAX_FRAME:
            await self.close(code=TOO_BIG)
            return
        if not await database_sync_to_async(self._signed_in)():
            await self.close(code=SIGNED_OUT)
            return
        await super().receive(text_data=text_data, **kwargs)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            return
        if "text" in content:
            try:
                await database_sync_to_async(services.send)(
                    self.actor, self.chat_id, str(content["text"])
                )
            except services.ChatRefused as refused:
                await self.send_json({"error": str(refused)})
            except NotFound:
                await self.close(code=NOT_ALLOWED)
            return
        if "after" in content:
            try:
                self.last = max(self.last, int(content["after"]))
            except (TypeError, ValueError):
                pass
            await self.deliver()

    async def chat_changed(self, event):
        await self.deliver()

    async def deliver(self):
        try:
            payload = await database_sync_to_async(self._payload)()
        except NotFound:
            await self.close(code=NOT_ALLOWED)
            return
        await self.send_json(payload)

    def _payload(self) -> dict:
        if not self._signed_in():
            raise NotFound()
        chat, lines = services.lines(self.actor, self.chat_id, self.last)
        if lines:
            self.last = lines[-1].id
        return {
            "status": chat.status,
            "practitioner": services.practitioner_name(chat),
            "messages": [line.as_json() for line in lines],
        }
