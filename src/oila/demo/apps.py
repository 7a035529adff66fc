from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "oila.demo"
    label = "demo"
