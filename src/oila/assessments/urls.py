from django.urls import path

from oila.assessments import views

# Mounted under cases/ (next to the cases app's own pages).
app_name = "assessments"
urlpatterns = [
    path("<uuid:case_id>/assessments/", views.case_assessments, name="case-assessments"),
    path(
        "<uuid:case_id>/assessments/new/<slug:code>/",
        views.assessment_new,
        name="assessment-new",
    ),
    path(
        "<uuid:case_id>/assessments/<uuid:assessment_id>/",
        views.assessment_detail,
        name="assessment",
    ),
]
