from django.urls import path

from . import views, views_mailfolder, views_preferences

app_name = "notify"

urlpatterns = [
    path("notify/sms/inbound", views.sms_inbound, name="sms_inbound"),
    path("notify/push/subscription", views.push_subscription, name="push_subscription"),
    path("compte/notifications/", views_preferences.preferences, name="preferences"),
    path("compte/notifications/mobile/", views_preferences.phone_send, name="phone_send"),
    path(
        "compte/notifications/mobile/code/", views_preferences.phone_confirm, name="phone_confirm"
    ),
    path(
        "compte/notifications/mobile/retirer/", views_preferences.phone_remove, name="phone_remove"
    ),
    path("compte/notifications/push/", views_preferences.push_switch, name="push_switch"),
    path("courrier-de-demo/", views_mailfolder.mailbox, name="demo_mailbox"),
    path("courrier-de-demo/<str:name>/", views_mailfolder.mail, name="demo_mail"),
]
