from django.urls import path

from oila.cases.views import actions, cases, team

app_name = "cases"
urlpatterns = [
    path("", cases.case_list, name="cases"),
    path("team/", team.team_dashboard, name="team"),
    path("due/", cases.due_list, name="due"),
    path("reports/alternative-care/", team.alternative_care_report, name="report-care"),
    path("open/<uuid:household_id>/", cases.case_open, name="case-open"),
    path("<uuid:case_id>/", cases.case_detail, name="case"),
    path("<uuid:case_id>/visits/new/", actions.visit_new, name="visit-new"),
    path("<uuid:case_id>/risk/", actions.risk_change, name="risk"),
    path("<uuid:case_id>/reassign/", actions.reassign, name="reassign"),
    path("<uuid:case_id>/transfer/", actions.transfer, name="transfer"),
    path("<uuid:case_id>/closure/", actions.closure_decide, name="closure-decide"),
    path("<uuid:case_id>/reopen/", actions.reopen, name="reopen"),
    path("<uuid:case_id>/gatekeeping/new/", actions.gatekeeping_new, name="gatekeeping-new"),
    path("<uuid:case_id>/care/new/", actions.care_change, name="care-change"),
    path(
        "<uuid:case_id>/placements/<uuid:placement_id>/review/",
        actions.placement_review,
        name="placement-review",
    ),
]
