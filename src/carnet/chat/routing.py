from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path("ws/urgence-tchat/<int:chat_id>/", consumers.ChatConsumer.as_asgi()),
]
