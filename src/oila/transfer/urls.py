from django.urls import path

from oila.transfer import views

app_name = "transfer"
urlpatterns = [
    path("", views.index, name="index"),
    path("template/", views.template, name="template"),
    path("import/", views.import_new, name="import"),
    path("export/", views.export_new, name="export"),
    path("jobs/<uuid:job_id>/", views.job_detail, name="job"),
    path("jobs/<uuid:job_id>/progress/", views.job_progress, name="job-progress"),
    path("jobs/<uuid:job_id>/import/", views.job_commit, name="job-commit"),
    path("jobs/<uuid:job_id>/download/", views.job_download, name="job-download"),
]
