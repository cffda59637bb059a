"""Routes of the emergency and proxy pages (appended to ``access.urls``)."""

from django.urls import path

from . import views_emergency as emergency
from . import views_proxy as proxy

app_name = "access"

urlpatterns = [
    # Emergency access: the practitioner's side.
    path("urgence/", emergency.start, name="emergency"),
    path("urgence/dossier/<int:patient_id>/", emergency.record, name="emergency_record"),
    path("urgence/dossier/<int:patient_id>/fermer/", emergency.end, name="emergency_end"),
    path("urgence/carte/<str:token>/", emergency.card_open, name="card_open"),
    # Emergency settings and card: the person's side.
    path("mes-urgences/", emergency.settings_page, name="emergency_settings"),
    path("mes-urgences/refus/", emergency.refusal, name="emergency_refusal"),
    path("mes-urgences/carte/", emergency.card_new, name="card_new"),
    # Proxies: relatives acting for the person, parents and children.
    path("procurations/", proxy.proxies_page, name="proxies"),
    path("procurations/<int:proxy_id>/retirer/", proxy.proxy_revoke, name="proxy_revoke"),
    path("mes-proches/", proxy.spaces, name="spaces"),
    path("mes-proches/<int:patient_id>/agir/", proxy.act_for, name="act_for"),
    path("mes-proches/revenir/", proxy.act_stop, name="act_stop"),
    path("mes-proches/dossier/", proxy.proxy_record, name="proxy_record"),
    path("mes-proches/enfant/", proxy.child_add, name="child_add"),
]
