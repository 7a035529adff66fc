from rest_framework.routers import DefaultRouter

from oila.assessments import api

app_name = "assessments_api"

router = DefaultRouter(use_regex_path=False)
router.include_format_suffixes = False  # JSON only
router.include_root_view = False  # the registry's router serves /api/v1/ itself
router.register("instruments", api.InstrumentViewSet, basename="instrument")
router.register("assessments", api.AssessmentViewSet, basename="assessment")
urlpatterns = router.urls
