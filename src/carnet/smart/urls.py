"""Routes of apps: OAuth 2 (django-oauth-toolkit, with Carnet's consent screen), SMART
configuration, « Mes applications »."""

from django.urls import path
from oauth2_provider import views as oauth

from . import views

app_name = "smart"

urlpatterns = [
    path(".well-known/smart-configuration", views.smart_configuration, name="configuration"),
    path("oauth/authorize/", views.ConsentView.as_view(), name="authorize"),
    path("oauth/token/", oauth.TokenView.as_view(), name="token"),
    path("oauth/revoke/", oauth.RevokeTokenView.as_view(), name="revoke"),
    path("oauth/introspect/", oauth.IntrospectTokenView.as_view(), name="introspect"),
    path("applications/", views.my_apps, name="my_apps"),
    path("applications/<int:app_id>/deconnecter/", views.disconnect, name="disconnect"),
]
