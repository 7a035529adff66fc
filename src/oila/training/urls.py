from django.urls import path

from oila.training import views

app_name = "training"
urlpatterns = [
    path("", views.event_list, name="events"),
    path("new/", views.event_new, name="event-new"),
    path("<uuid:event_id>/", views.event_detail, name="event"),
    path("<uuid:event_id>/edit/", views.event_edit, name="event-edit"),
    path("<uuid:event_id>/participants/", views.participants_add, name="participants-add"),
    path("<uuid:event_id>/results/", views.results, name="results"),
    path(
        "participants/<uuid:participation_id>/remove/",
        views.participant_remove,
        name="participant-remove",
    ),
    path("specialists/", views.specialist_list, name="specialists"),
    path("specialists/new/", views.specialist_new, name="specialist-new"),
    path("specialists/<uuid:person_id>/", views.specialist_profile, name="specialist"),
]
