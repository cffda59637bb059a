from django.urls import path

from . import views

app_name = "research"

urlpatterns = [
    path("compte/recherche/", views.my_choice, name="my_choice"),
    path("recherche/", views.workspace, name="workspace"),
    path("veille-epidemique/", views.epidemic_watch, name="watch"),
]
