from django.urls import path

from . import views

app_name = "insurance"

urlpatterns = [
    path("remboursements/simulateur/", views.simulator_page, name="simulator"),
]
