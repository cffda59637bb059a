"""Routes of the emergency chat (French paths). The WebSocket route is in ``routing``."""

from django.urls import path

from . import views

app_name = "chat"

urlpatterns = [
    path("urgence-tchat/", views.start, name="start"),
    path("urgence-tchat/ouvrir/", views.open_chat, name="open"),
    path("urgence-tchat/<int:chat_id>/", views.room, name="room"),
    path("urgence-tchat/<int:chat_id>/messages/", views.poll, name="poll"),
    path("urgence-tchat/<int:chat_id>/fermer/", views.close, name="close"),
    path("urgence-tchat/<int:chat_id>/informations/", views.dataset, name="dataset"),
    path("pro/garde/", views.desk, name="pro_desk"),
    path("pro/garde/attente/", views.desk_poll, name="pro_desk_poll"),
    path("pro/garde/service/", views.on_call, name="pro_on_call"),
    path("pro/garde/<int:chat_id>/prendre/", views.take, name="pro_take"),
]
