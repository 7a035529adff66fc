from rest_framework.routers import DefaultRouter

from oila.cases.api.notifications import NotificationViewSet
from oila.cases.api.views import AlternativeCareReportViewSet, CaseViewSet, DueViewSet

app_name = "cases_api"

router = DefaultRouter(use_regex_path=False)
router.include_root_view = False  # the registry's router has the API root
router.include_format_suffixes = False
router.register("cases", CaseViewSet, basename="case")
router.register("due-items", DueViewSet, basename="due")
router.register("reports/alternative-care", AlternativeCareReportViewSet, basename="report-care")
router.register("notifications", NotificationViewSet, basename="notification")
urlpatterns = router.urls
