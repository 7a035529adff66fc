from django.urls import path

from oila.results import views

app_name = "results"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.dashboard, name="dashboard"),
    path("<slug:slug>/export/<str:fmt>/", views.export, name="export"),
    path("<slug:slug>/framework/", views.framework, name="framework"),
    path("<slug:slug>/outcomes/new/", views.outcome_new, name="outcome-new"),
    path("<slug:slug>/outcomes/<uuid:outcome_id>/edit/", views.outcome_edit, name="outcome-edit"),
    path(
        "<slug:slug>/outcomes/<uuid:outcome_id>/outputs/new/", views.output_new, name="output-new"
    ),
    path("<slug:slug>/outputs/<uuid:output_id>/edit/", views.output_edit, name="output-edit"),
    path("<slug:slug>/indicators/new/", views.indicator_new, name="indicator-new"),
    path("<slug:slug>/indicators/<uuid:indicator_id>/", views.indicator_detail, name="indicator"),
    path(
        "<slug:slug>/indicators/<uuid:indicator_id>/edit/",
        views.indicator_edit,
        name="indicator-edit",
    ),
    path(
        "<slug:slug>/indicators/<uuid:indicator_id>/targets/new/",
        views.target_new,
        name="target-new",
    ),
    path("<slug:slug>/targets/<uuid:target_id>/edit/", views.target_edit, name="target-edit"),
    path("<slug:slug>/targets/<uuid:target_id>/delete/", views.target_delete, name="target-delete"),
]
