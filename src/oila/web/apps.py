from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "oila.web"
    label = "web"
