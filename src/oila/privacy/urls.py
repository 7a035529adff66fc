from django.urls import path

from oila.privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.index, name="index"),
    path("break-glass/", views.break_glass, name="break-glass"),
    path("break-glass/grants/", views.grants, name="grants"),
    path("audit/", views.audit, name="audit"),
    path("alerts/", views.alerts, name="alerts"),
    path("people/<uuid:person_id>/export.json", views.export_json, name="export-json"),
    path("people/<uuid:person_id>/export.pdf", views.export_pdf, name="export-pdf"),
]
