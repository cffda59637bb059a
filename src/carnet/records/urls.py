from django.urls import path

from . import views

app_name = "records"

urlpatterns = [
    path("importer/", views.import_page, name="import"),
    path("importer/<str:job_id>/", views.import_job, name="import_job"),
    path("importer/<str:job_id>/etat/", views.import_status, name="import_status"),
    path("importer/<str:job_id>/choix/", views.import_choice, name="import_choice"),
    path("exporter/", views.export_page, name="export"),
]

from . import views_entries  # noqa: E402

urlpatterns += [
    path("dossier/ajouter/", views_entries.entry_index, name="entry_index"),
    path("dossier/ajouter/medicaments/", views_entries.medicine_search, name="medicine_search"),
    path("dossier/ajouter/<slug:kind>/", views_entries.entry_add, name="entry_add"),
]

from . import views_documents  # noqa: E402

urlpatterns += [
    path("dossier/documents/", views_documents.documents_page, name="documents"),
    path(
        "dossier/documents/<uuid:document_id>/fichier/",
        views_documents.document_download,
        name="document_download",
    ),
    path(
        "dossier/documents/<uuid:document_id>/fichier/<int:n>/",
        views_documents.document_file,
        name="document_file",
    ),
    path(
        "dossier/documents/<uuid:document_id>/apercu/",
        views_documents.document_preview,
        name="document_preview",
    ),
]

# The Dossier: timeline, search, one item (ids only in URLs; search words by POST).
from . import views_item, views_timeline  # noqa: E402

urlpatterns += [
    path("dossier/chronologie/", views_timeline.timeline, name="timeline"),
    path("dossier/recherche/", views_timeline.search_page, name="search"),
    path("dossier/element/<str:item_id>/", views_item.item, name="item"),
    path("dossier/element/<str:item_id>/note/", views_item.annotate, name="item_annotate"),
    path("dossier/element/<str:item_id>/corriger/", views_item.correct, name="item_correct"),
    path("dossier/element/<str:item_id>/a-jour/", views_item.still_right, name="item_still_right"),
    path("dossier/element/<str:item_id>/parents/", views_item.parents, name="item_parents"),
]

# Carry it: the summary to print (page and PDF) and the emergency card.
from . import views_summary  # noqa: E402

urlpatterns += [
    path("dossier/resume/", views_summary.summary_page, name="summary"),
    path("dossier/resume/pdf/", views_summary.summary_download, name="summary_pdf"),
    path("dossier/carte-urgence/", views_summary.card_page, name="card"),
    path("dossier/carte-urgence/pdf/", views_summary.card_download, name="card_pdf"),
]

# A practitioner reads a record shared with them (the internal record number; item ids only).
from . import views_pro  # noqa: E402

urlpatterns += [
    path("pro/patients/<int:patient_id>/dossier/", views_pro.record, name="pro_record"),
    path(
        "pro/patients/<int:patient_id>/dossier/chronologie/",
        views_pro.timeline,
        name="pro_timeline",
    ),
    path(
        "pro/patients/<int:patient_id>/dossier/recherche/",
        views_pro.search_page,
        name="pro_search",
    ),
    path(
        "pro/patients/<int:patient_id>/dossier/element/<str:item_id>/",
        views_pro.item,
        name="pro_item",
    ),
    path(
        "pro/patients/<int:patient_id>/dossier/element/<str:item_id>/parents/",
        views_pro.item_parents,
        name="pro_item_parents",
    ),
]

# A practitioner adds to a record shared with them in writing (the kind in the path only).
from . import views_pro_entries  # noqa: E402

urlpatterns += [
    path(
        "pro/patients/<int:patient_id>/dossier/ajouter/",
        views_pro_entries.entry_index,
        name="pro_entry_index",
    ),
    path(
        "pro/patients/<int:patient_id>/dossier/ajouter/<slug:kind>/",
        views_pro_entries.entry_add,
        name="pro_entry_add",
    ),
]
