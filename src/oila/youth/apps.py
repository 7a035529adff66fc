from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class YouthConfig(AppConfig):
    name = "oila.youth"
    label = "youth"
    verbose_name = _("Youth employability")
