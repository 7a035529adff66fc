from rest_framework.routers import DefaultRouter

from oila.training import api

app_name = "training_api"

router = DefaultRouter(use_regex_path=False)
router.include_format_suffixes = False  # JSON only
router.include_root_view = False  # the registry's router serves /api/v1/ itself
router.register("training/events", api.EventViewSet, basename="event")
router.register("training/specialists", api.SpecialistViewSet, basename="specialist")
urlpatterns = router.urls
