from django.urls import path

from oila.youth import views

app_name = "youth"
urlpatterns = [
    path("", views.youth_list, name="list"),
    path("<uuid:person_id>/", views.person_page, name="person"),
    path("<uuid:person_id>/trainings/new/", views.training_new, name="training-new"),
    path("<uuid:person_id>/placements/new/", views.placement_new, name="placement-new"),
    path(
        "trainings/<uuid:training_id>/complete/",
        views.training_complete,
        name="training-complete",
    ),
    path("placements/<uuid:placement_id>/end/", views.placement_end, name="placement-end"),
    path(
        "follow-ups/<uuid:follow_up_id>/record/",
        views.follow_up_record,
        name="follow-up-record",
    ),
]
