from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    """Sign-in policy (MFA, lockout, sessions) and the pages where users manage their own."""

    name = "oila.security"
    label = "security"
    verbose_name = _("Security")
