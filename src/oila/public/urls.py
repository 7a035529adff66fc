from django.urls import path

from oila.public import views

app_name = "public"
urlpatterns = [
    path("<slug:slug>/", views.programme_page, name="programme"),
    path("<slug:slug>/photos/<uuid:photo_id>/", views.photo_file, name="photo"),
    # The programme's staff: the gallery's photos, adding and removing them.
    path("<slug:slug>/photos/", views.photos_manage, name="photos"),
    path("<slug:slug>/photos/<uuid:photo_id>/delete/", views.photo_delete, name="photo-delete"),
]
