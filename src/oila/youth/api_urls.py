from rest_framework.routers import DefaultRouter

from oila.youth import api

app_name = "youth_api"

router = DefaultRouter(use_regex_path=False)
router.include_format_suffixes = False  # JSON only
router.include_root_view = False  # the registry's router serves /api/v1/ itself
router.register("youth/trainings", api.YouthTrainingViewSet, basename="youth-training")
router.register("youth/placements", api.PlacementViewSet, basename="placement")
router.register("youth/follow-ups", api.FollowUpViewSet, basename="follow-up")
urlpatterns = router.urls
