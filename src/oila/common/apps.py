from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "oila.common"
    label = "common"
