from django.urls import path

from . import views

app_name = "reminders"

urlpatterns = [
    path("rappels/", views.index, name="index"),
    path("rappels/choix/", views.choose, name="choose"),
    path("rappels/traitements/", views.treatments_page, name="treatments"),
    path("rappels/traitements/prise/", views.intake, name="intake"),
    path("rappels/suivis/", views.programmes_page, name="programmes"),
    path("rappels/agenda/", views.agenda_page, name="agenda"),
    path("rappels/agenda/ajouter/", views.agenda_add, name="agenda_add"),
    path("rappels/calendrier/", views.feed_page, name="feed"),
    path("rappels/calendrier/<str:secret>.ics", views.feed_ics, name="feed_ics"),
]
