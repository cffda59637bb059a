from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("au-revoir/", views.goodbye, name="goodbye"),
]
