from django.urls import path

from oila.registry.views import households, people

app_name = "registry"
urlpatterns = [
    path("households/", households.household_list, name="households"),
    path("households/new/", households.household_register, name="household-new"),
    path("households/new/member-form/", households.member_form, name="member-form"),
    path("households/<uuid:household_id>/", households.household_detail, name="household"),
    path("households/<uuid:household_id>/edit/", households.household_edit, name="household-edit"),
    path("households/<uuid:household_id>/members/new/", households.member_add, name="member-add"),
    path(
        "households/<uuid:household_id>/enrol/", households.household_enrol, name="household-enrol"
    ),
    path("places/mahallas/", households.mahalla_options, name="mahalla-options"),
    path("people/<uuid:person_id>/", people.person_detail, name="person"),
    path("people/<uuid:person_id>/edit/", people.person_edit, name="person-edit"),
    path("people/<uuid:person_id>/care/new/", people.care_new, name="care-new"),
    path("people/<uuid:person_id>/consents/new/", people.consent_new, name="consent-new"),
    path("people/<uuid:person_id>/enrol/", people.person_enrol, name="person-enrol"),
    path("consents/<uuid:consent_id>/withdraw/", people.consent_withdraw, name="consent-withdraw"),
    path(
        "enrolments/<uuid:enrolment_id>/status/",
        people.enrolment_status,
        name="enrolment-status",
    ),
]
