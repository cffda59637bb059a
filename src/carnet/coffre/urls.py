"""Routes of the Coffre's pages: sharing, requests, history, emergency access, relatives."""

from django.urls import path

from . import views_emergency as emergency
from . import views_history, views_minor, views_requests, views_sharing
from . import views_proxy as proxy

app_name = "coffre"

urlpatterns = [
    # The person: sharing, requests, history.
    path("partage/", views_sharing.sharing, name="sharing"),
    path("partage/praticiens/", views_sharing.practitioners, name="sharing_practitioners"),
    path("partage/praticiens/<int:practitioner_id>/", views_sharing.share, name="sharing_share"),
    path(
        "partage/praticiens/<int:practitioner_id>/medecin-traitant/",
        views_sharing.set_referent,
        name="sharing_referent",
    ),
    path("partage/acces/<int:grant_id>/retirer/", views_sharing.revoke, name="sharing_revoke"),
    path("partage/tout-retirer/", views_sharing.revoke_all, name="sharing_revoke_all"),
    path("partage/elements/", views_sharing.items, name="sharing_items"),
    path("partage/code/", views_sharing.share_code, name="sharing_code"),
    path("partage/code/supprimer/", views_sharing.share_code_delete, name="sharing_code_delete"),
    path(
        "partage/demandes/<int:request_id>/", views_requests.request_detail, name="request_detail"
    ),
    path(
        "partage/demandes/<int:request_id>/accepter/",
        views_requests.request_approve,
        name="request_approve",
    ),
    path(
        "partage/demandes/<int:request_id>/refuser/",
        views_requests.request_refuse,
        name="request_refuse",
    ),
    path("historique/", views_history.history_page, name="history"),
    path("historique/export/", views_history.history_export, name="history_export"),
    # Health professionals.
    path("pro/demandes/", views_requests.pro_requests, name="pro_requests"),
    path(
        "pro/demandes/<int:request_id>/retirer/",
        views_requests.pro_request_withdraw,
        name="pro_request_withdraw",
    ),
    path("pro/patients/", views_requests.pro_patients, name="pro_patients"),
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
    # A minor of 15 or more: a login of their own (invited by a parent or their doctor).
    path("mineur/<int:patient_id>/inviter/", views_minor.invite, name="minor_invite"),
    path("invitation/<str:token>/", views_minor.accept, name="minor_accept"),
]
