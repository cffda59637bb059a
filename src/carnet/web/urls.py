from django.urls import path

from . import easy_read, views, views_offline

urlpatterns = [
    path("", views.home, name="home"),
    path("au-revoir/", views.goodbye, name="goodbye"),
    path("facile-a-lire/", easy_read.switch, name="easy_read"),
    # Carnet as an app, and reading without a connection (carnet.web.offline).
    path("manifest.webmanifest", views_offline.manifest, name="manifest"),
    path("sw.js", views_offline.service_worker, name="service_worker"),
    path("hors-ligne/", views_offline.offline_page, name="offline"),
    path("cet-appareil/", views_offline.own_device, name="own_device"),
]
