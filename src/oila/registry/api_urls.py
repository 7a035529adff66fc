from rest_framework.routers import DefaultRouter

from oila.registry import api

app_name = "registry_api"

# Path converters (not regexes) so that ids are UUIDs in the URLs and in the OpenAPI schema.
router = DefaultRouter(use_regex_path=False)
router.include_format_suffixes = False  # JSON only
router.register("households", api.HouseholdViewSet, basename="household")
router.register("people", api.PersonViewSet, basename="person")
urlpatterns = router.urls
