from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("compte/", views.account, name="account"),
    path("compte/profil/", views.profile, name="profile"),
    path("compte/cles/", views.token_create, name="token_create"),
    path("compte/cles/<int:token_id>/revoquer/", views.token_revoke, name="token_revoke"),
    path("compte/sessions/<str:session_id>/fermer/", views.session_revoke, name="session_revoke"),
    path(
        "compte/sessions/fermer-les-autres/",
        views.session_revoke_others,
        name="session_revoke_others",
    ),
    path("compte/fermer/", views.close_account, name="close"),
]
