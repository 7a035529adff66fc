from rest_framework.routers import DefaultRouter

from oila.plans import api

app_name = "plans_api"

router = DefaultRouter(use_regex_path=False)
router.include_format_suffixes = False  # JSON only
router.include_root_view = False  # the registry's router serves /api/v1/ itself
router.register("plans", api.PlanViewSet, basename="plan")
urlpatterns = router.urls
