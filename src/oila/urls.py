from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from oila.common.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        # Our template: the stock one fetches fonts from Google (no CDN, see DESIGN.md).
        SpectacularRedocView.as_view(url_name="api-schema", template_name="common/api_docs.html"),
        name="api-docs",
    ),
    path("api/v1/", include("oila.registry.api_urls")),
    path("", include("oila.registry.urls")),
    path("", include("oila.web.urls")),
]
