from django.urls import path

from . import easy_read, views

urlpatterns = [
    path("", views.home, name="home"),
    path("au-revoir/", views.goodbye, name="goodbye"),
    path("facile-a-lire/", easy_read.switch, name="easy_read"),
]
