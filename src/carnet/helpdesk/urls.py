"""Routes of the help centre (French paths). Article slugs come last: no slug may be a
word used here (a test checks)."""

from django.urls import path

from . import views

app_name = "helpdesk"

RESERVED = ("recherche", "demander", "mes-questions", "questions", "conseil")

urlpatterns = [
    path("aide/", views.index, name="index"),
    path("aide/recherche/", views.search_page, name="search"),
    path("aide/demander/", views.ask, name="ask"),
    path("aide/mes-questions/", views.my_requests, name="mine"),
    path("aide/questions/<int:request_id>/", views.thread, name="request"),
    path("aide/questions/<int:request_id>/fermer/", views.close, name="close"),
    path("aide/conseil/", views.advisor_inbox, name="advisor_inbox"),
    path("aide/<slug:slug>/", views.article_page, name="article"),
]
