from django.urls import path

from oila.dedup import views

app_name = "dedup"
urlpatterns = [
    path("duplicates/", views.queue, name="queue"),
    path("duplicates/<uuid:candidate_id>/", views.candidate, name="candidate"),
    path("duplicates/<uuid:candidate_id>/not-same/", views.not_same, name="not-same"),
    path("duplicates/<uuid:candidate_id>/merge/", views.merge, name="merge"),
    path("duplicates/merges/<uuid:merge_id>/undo/", views.undo, name="undo"),
]
