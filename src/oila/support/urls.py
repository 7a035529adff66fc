from django.urls import path

from oila.support.views import partner, staff

app_name = "support"
urlpatterns = [
    path("services/", staff.delivery_list, name="deliveries"),
    path("services/new/", staff.delivery_new, name="delivery-new"),
    path("services/<uuid:delivery_id>/", staff.delivery_detail, name="delivery"),
    path("cases/<uuid:case_id>/services/new/", staff.case_delivery_new, name="case-delivery-new"),
    path("cases/<uuid:case_id>/support/", staff.case_support, name="case-support"),
    path("cases/<uuid:case_id>/referrals/new/", staff.referral_new, name="referral-new"),
    path("referrals/", staff.referral_list, name="referrals"),
    path("referrals/<uuid:referral_id>/", staff.referral_detail, name="referral"),
    path("referrals/<uuid:referral_id>/accept/", staff.referral_accept, name="referral-accept"),
    path("referrals/<uuid:referral_id>/decline/", staff.referral_decline, name="referral-decline"),
    path("referrals/<uuid:referral_id>/report/", staff.referral_report, name="referral-report"),
    path("partner/referrals/", partner.inbox, name="partner-referrals"),
    path("partner/referrals/<uuid:referral_id>/", partner.detail, name="partner-referral"),
    path(
        "partner/referrals/<uuid:referral_id>/accept/",
        partner.accept,
        name="partner-referral-accept",
    ),
    path(
        "partner/referrals/<uuid:referral_id>/decline/",
        partner.decline,
        name="partner-referral-decline",
    ),
    path(
        "partner/referrals/<uuid:referral_id>/report/",
        partner.report,
        name="partner-referral-report",
    ),
]
