from django.urls import path

from . import views

app_name = "records"

urlpatterns = [
    path("importer/", views.import_page, name="import"),
    path("importer/<str:job_id>/", views.import_job, name="import_job"),
    path("importer/<str:job_id>/etat/", views.import_status, name="import_status"),
    path("exporter/", views.export_page, name="export"),
]
