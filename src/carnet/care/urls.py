"""Routes of the Plateforme (French paths)."""

from django.urls import path

from . import views_renewals as renewals

app_name = "care"

urlpatterns = [
    path("renouvellements/", renewals.person_page, name="renewals"),
    path(
        "renouvellements/demander/<str:resource_type>/<str:fhir_id>/",
        renewals.ask,
        name="renewal_ask",
    ),
    path("pro/renouvellements/", renewals.pro_inbox, name="pro_renewals"),
    path("pro/renouvellements/<int:renewal_id>/", renewals.pro_answer, name="pro_renewal"),
]
