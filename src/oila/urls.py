from allauth.account import views as account_views
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from oila.common.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Sign-in is django-allauth's (MFA, lockout): "login" and "logout" stay as names for its views.
    path("accounts/login/", account_views.login, name="login"),
    path("accounts/logout/", account_views.logout, name="logout"),
    path("accounts/security/", include("oila.security.urls")),
    # Administrators set e-mail addresses (they receive password resets); sessions are listed on
    # the Security page.
    path("accounts/email/", RedirectView.as_view(pattern_name="security:index")),
    path("accounts/sessions/", RedirectView.as_view(pattern_name="security:index")),
    path("accounts/", include("allauth.urls")),
    # The admin signs in through the same page (and so the same second factor and lockout).
    path("admin/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        # Our template: the stock one fetches fonts from Google (no CDN, see DESIGN.md).
        # Redoc styles its page with <style> elements it writes at run time (styled-components) and
        # searches in a blob: worker, so this page alone allows inline styles and blob: workers; its
        # scripts still come only from our static files.
        csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]})(
            SpectacularRedocView.as_view(
                url_name="api-schema", template_name="common/api_docs.html"
            )
        ),
        name="api-docs",
    ),
    path("api/v1/", include("oila.registry.api_urls")),
    path("api/v1/", include("oila.cases.api_urls")),
    path("api/v1/", include("oila.assessments.api_urls")),
    path("api/v1/", include("oila.plans.api_urls")),
    path("api/v1/", include("oila.support.api_urls")),
    path("api/v1/", include("oila.youth.api_urls")),
    path("api/v1/", include("oila.training.api_urls")),
    path("api/v1/", include("oila.results.api_urls")),
    path("api/v1/", include("oila.transfer.api_urls")),
    path("api/v1/", include("oila.privacy.api_urls")),
    path("api/v1/", include("oila.public.api_urls")),
    path("results/", include("oila.results.urls")),
    path("transfer/", include("oila.transfer.urls")),
    path("dpo/", include("oila.privacy.urls")),
    path("p/", include("oila.public.urls")),
    path("cases/", include("oila.assessments.urls")),
    path("cases/", include("oila.plans.urls")),
    path("cases/", include("oila.cases.urls")),
    path("youth/", include("oila.youth.urls")),
    path("training/", include("oila.training.urls")),
    path("", include("oila.support.urls")),
    path("", include("oila.registry.urls")),
    path("", include("oila.dedup.urls")),
    path("", include("oila.web.urls")),
]
