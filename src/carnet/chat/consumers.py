"""The live chat over WebSocket (Django Channels).

The socket is a faster road to the same services as the HTML form and the polling
endpoint: every message sent and every delivery asks ``services`` as the signed-in user,
so a stranger's socket is closed before it joins, and a participant who loses access
(a revoked proxy) gets nothing more. The client sends ``{"text": …}`` to write and
``{"after": id}`` to catch up; the server sends ``{"status", "practitioner",
"messages": [...]}``.
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from carnet.access.services import Actor, NotFound

from . import live, services

NOT_ALLOWED = 4404


class ChatConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.chat_id = int(self.scope["url_route"]["kwargs"]["chat_id"])
        self.last = 0
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=NOT_ALLOWED)
            return
        self.actor = Actor.of_user(user)
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
        chat, lines = services.lines(self.actor, self.chat_id, self.last)
        if lines:
            self.last = lines[-1].id
        return {
            "status": chat.status,
            "practitioner": services.practitioner_name(chat),
            "messages": [line.as_json() for line in lines],
        }
