from rest_framework.routers import DefaultRouter

from oila.support.api import views

app_name = "support_api"

router = DefaultRouter(use_regex_path=False)
router.include_format_suffixes = False  # JSON only
router.include_root_view = False  # the registry's router serves /api/v1/ itself
router.register("service-types", views.ServiceTypeViewSet, basename="service-type")
router.register("deliveries", views.DeliveryViewSet, basename="delivery")
router.register("referrals", views.ReferralViewSet, basename="referral")
router.register("partner/referrals", views.PartnerReferralViewSet, basename="partner-referral")
urlpatterns = router.urls
