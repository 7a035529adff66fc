from django.urls import path

from oila.web import notifications, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("notifications/", notifications.inbox, name="notifications"),
    path("notifications/read-all/", notifications.mark_all_read, name="notifications-read-all"),
    path(
        "notifications/<uuid:notification_id>/read/",
        notifications.mark_read,
        name="notification-read",
    ),
]
