"""The user admin, writing through oila.security's services so that a change is audited and a
disabled user or a changed role ends that user's sessions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from oila.accounts.admin import UserAdmin
from oila.accounts.models import User
from oila.security import services

admin.site.unregister(User)


@admin.register(User)
class SecureUserAdmin(UserAdmin):
    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if not change:
            services.user_create(actor=request.user, user=obj)
            return
        data = {
            name: getattr(obj, name) for name in form.changed_data if name in services.USER_FIELDS
        }
        current = User.objects.get(pk=obj.pk)
        services.user_update(actor=request.user, user=current, data=data)
