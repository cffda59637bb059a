from django.urls import path

from . import views

app_name = "insurance"

urlpatterns = [
    path("remboursements/", views.history_page, name="history"),
    path("remboursements/<int:year>/", views.history_page, name="history_year"),
    path("remboursements/<int:year>/<int:month>/", views.history_page, name="history_month"),
    path("remboursements/ajouter/", views.add_own, name="add"),
    path("remboursements/simulateur/", views.simulator_page, name="simulator"),
    path("pro/patients/<int:patient_id>/remboursements/", views.pro_history, name="pro_history"),
    path(
        "pro/patients/<int:patient_id>/remboursements/<int:year>/",
        views.pro_history,
        name="pro_history_year",
    ),
]
