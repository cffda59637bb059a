from django.urls import path

from . import views

app_name = "notify"

urlpatterns = [
    path("notify/sms/inbound", views.sms_inbound, name="sms_inbound"),
    path("notify/push/subscription", views.push_subscription, name="push_subscription"),
]
