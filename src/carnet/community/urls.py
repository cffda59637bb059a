"""Entraide routes (French paths). Every page needs a signed-in member of the group."""

from django.urls import path

from . import views

app_name = "community"

urlpatterns = [
    path("entraide/", views.index, name="index"),
    path("entraide/<slug:slug>/", views.group, name="group"),
    path("entraide/<slug:slug>/rejoindre/", views.join, name="join"),
    path("entraide/<slug:slug>/nouveau/", views.new_thread, name="new_thread"),
    path("entraide/<slug:slug>/fil/<int:thread_id>/", views.thread, name="thread"),
    path("entraide/<slug:slug>/message/<int:post_id>/merci/", views.thank, name="thank"),
    path("entraide/<slug:slug>/message/<int:post_id>/signaler/", views.report, name="report"),
    path("entraide/<slug:slug>/membre/<int:member_id>/bloquer/", views.block, name="block"),
    path("entraide/<slug:slug>/bloques/", views.unblock, name="unblock"),
    path("entraide/<slug:slug>/mes-avis/", views.my_notices, name="notices"),
    path("entraide/<slug:slug>/moderation/", views.moderation, name="moderation"),
    path(
        "entraide/<slug:slug>/moderation/message/<int:post_id>/",
        views.moderate_post,
        name="moderate_post",
    ),
    path(
        "entraide/<slug:slug>/moderation/signalement/<int:report_id>/ignorer/",
        views.dismiss,
        name="dismiss",
    ),
]
