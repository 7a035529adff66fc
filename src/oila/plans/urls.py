from django.urls import path

from oila.plans import views

# Mounted under cases/ (next to the cases app's own pages).
app_name = "plans"
plan = "<uuid:case_id>/plan/"
urlpatterns = [
    path(plan, views.plan_page, name="plan"),
    path(f"{plan}new/", views.plan_new, name="plan-new"),
    path(f"{plan}<uuid:plan_id>/review/", views.plan_review, name="plan-review"),
    path(f"{plan}<uuid:plan_id>/goals/new/", views.goal_new, name="goal-new"),
    path(f"{plan}<uuid:plan_id>/goals/suggested/", views.goals_suggested, name="goals-suggested"),
    path(f"{plan}<uuid:plan_id>/submit/", views.plan_submit, name="plan-submit"),
    path(f"{plan}<uuid:plan_id>/decide/", views.plan_decide, name="plan-decide"),
    path(f"{plan}<uuid:plan_id>/revise/", views.plan_revise, name="plan-revise"),
    path(f"{plan}goals/<uuid:goal_id>/actions/new/", views.action_new, name="action-new"),
    path(f"{plan}goals/<uuid:goal_id>/status/", views.goal_status, name="goal-status"),
    path(f"{plan}goals/<uuid:goal_id>/remove/", views.goal_remove, name="goal-remove"),
    path(f"{plan}actions/<uuid:action_id>/status/", views.action_status, name="action-status"),
    path(f"{plan}actions/<uuid:action_id>/remove/", views.action_remove, name="action-remove"),
    path("<uuid:case_id>/close/", views.case_close, name="case_close"),
]
