from django.urls import path

from oila.security import views

app_name = "security"
urlpatterns = [
    path("", views.index, name="index"),
    path("sessions/<int:session_id>/end/", views.session_end, name="session-end"),
    path("sessions/end-others/", views.sessions_end_others, name="sessions-end-others"),
]
