from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "oila.accounts"
    label = "accounts"
    verbose_name = _("People who use oila")
