from django.urls import path

from . import views_history, views_requests, views_sharing

app_name = "access"

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
]

# Emergency access and proxies (access/urls_care.py).
from .urls_care import urlpatterns as care_urlpatterns  # noqa: E402

urlpatterns += care_urlpatterns
