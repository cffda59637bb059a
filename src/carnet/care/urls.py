"""Routes of the Plateforme (French paths)."""

from django.urls import path

from . import views_appointments as appts
from . import views_directory as directory
from . import views_messages as msgs
from . import views_pro as pro
from . import views_renewals as renewals

app_name = "care"

urlpatterns = [
    path("annuaire/", directory.search, name="directory"),
    path("renouvellements/", renewals.person_page, name="renewals"),
    path(
        "renouvellements/demander/<str:resource_type>/<str:fhir_id>/",
        renewals.ask,
        name="renewal_ask",
    ),
    path("pro/renouvellements/", renewals.pro_inbox, name="pro_renewals"),
    path("pro/renouvellements/<int:renewal_id>/", renewals.pro_answer, name="pro_renewal"),
    path("messages/", msgs.person_list, name="conversations"),
    path("messages/nouveau/", msgs.start, name="conversation_new"),
    path("messages/<int:conversation_id>/", msgs.thread, name="conversation"),
    path("pro/", pro.home, name="pro_home"),
    path("pro/messages/equipe/<int:patient_id>/", pro.team_new, name="pro_team_new"),
    path("pro/messages/", msgs.pro_list, name="pro_conversations"),
    path("pro/messages/reglages/", msgs.pro_habit, name="pro_message_habit"),
    path("rendez-vous/", appts.person_page, name="appointments"),
    path("rendez-vous/prendre/<int:practitioner_id>/", appts.book, name="appointment_book"),
    path("rendez-vous/<int:appointment_id>/deplacer/", appts.move, name="appointment_move"),
    path("rendez-vous/<int:appointment_id>/annuler/", appts.cancel, name="appointment_cancel"),
    path("rendez-vous/<int:appointment_id>/rendez-vous.ics", appts.ics, name="appointment_ics"),
    path("pro/agenda/", appts.pro_agenda, name="pro_agenda"),
    path("pro/agenda/horaires/", appts.pro_hours, name="pro_hours"),
]
