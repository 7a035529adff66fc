from django.urls import path

from oila.registry import views

app_name = "registry"
urlpatterns = [
    path("households/", views.household_list, name="households"),
    path("households/<uuid:household_id>/", views.household_detail, name="household"),
    path("people/<uuid:person_id>/", views.person_detail, name="person"),
]
