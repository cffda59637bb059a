from django.urls import path

from . import views

app_name = "reminders"

urlpatterns = [
    path("rappels/", views.index, name="index"),
    path("rappels/choix/", views.choose, name="choose"),
    path("rappels/vaccinations/", views.vaccinations_page, name="vaccinations"),
    path("rappels/traitements/", views.treatments_page, name="treatments"),
    path("rappels/traitements/prise/", views.intake, name="intake"),
    path("rappels/traitements/alertes/", views.intake_alerts, name="intake_alerts"),
    path("rappels/traitements/partage/", views.adherence_sharing, name="adherence_sharing"),
    path("rappels/suivis/", views.programmes_page, name="programmes"),
    path("rappels/agenda/", views.agenda_page, name="agenda"),
    path("rappels/agenda/ajouter/", views.agenda_add, name="agenda_add"),
    path("rappels/calendrier/", views.feed_page, name="feed"),
    path("rappels/calendrier/<str:secret>.ics", views.feed_ics, name="feed_ics"),
    # Health professionals: adherence, only when the person chose to share it.
    path(
        "pro/patients/<int:patient_id>/observance/",
        views.pro_adherence,
        name="pro_adherence",
    ),
]
