"""The authorization matrix (ASVS 4.0.3 V4.1–V4.2): for every URL pattern the resolver knows, the
outcome each member of the cast must get for GET and for an empty POST.

Every request is made about the same planted records (tests/security/matrix_plant.py): alice's
household, child and case, with a referral to School 12. So each user stands in one relationship to
the record:

    alice  own (her case)                 bob    same team (her supervisor)
    carol  other team, same programme     hana   other agency (a partner the referral is not for)
    dave   referred partner (School 12)   erin   M&E officer: aggregates only
    frank  programme manager              grace  data protection officer
    heidi  administrator (not case data)  anon   none: not signed in

Outcomes: ALLOW (the view ran: 2xx, 3xx other than to the login page, or 400/422 for the empty
POST), INVALID (400/422 only: the request reached validation and changed nothing), NOT_FOUND (404:
out of scope, never a 403 that confirms the record exists), FORBIDDEN (403: the record is in scope
but the action is not the user's), LOGIN (the login page; 401/403 for the API). A method of None
means the view does not accept it: 405, or 404 for a role stopped before the method check —
never allowed.

`test_matrix.MatrixCompletenessTests` fails for any URL pattern that has no entry here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ALLOW, INVALID, NOT_FOUND, FORBIDDEN, LOGIN = "allow", "invalid", "404", "403", "login"
USERS = ("alice", "bob", "carol", "dave", "hana", "erin", "frank", "grace", "heidi")
RELATIONSHIP = {
    "alice": "own", "bob": "same team", "carol": "other team", "dave": "referred partner",
    "hana": "other agency", "erin": "M&E officer", "frank": "programme manager",
    "grace": "data protection officer", "heidi": "administrator", "anon": "none",
}  # fmt: skip

Expect = dict[str, str]


def allow(*users: str, rest: str = NOT_FOUND, anon: str = LOGIN, **special: str) -> Expect:
    """`users` allowed, everyone else `rest` (404 by default), anonymous `anon`; `special` overrides."""
    table = {u: (ALLOW if u in users else rest) for u in USERS}
    table.update(special)
    table["anon"] = anon
    return table


EVERYONE = allow(*USERS)
PUBLIC = allow(*USERS, anon=ALLOW)
NOBODY = allow()  # a record that was not planted: 404 for everyone signed in
CASE_TEAM = allow("alice", "bob", "frank")  # owner, her supervisor, the programme manager
SUPERVISORS = allow("bob", "frank")
PROGRAMME_STAFF = allow("alice", "bob", "carol", "frank")  # case roles of the programme (lists)
PARTNERS = allow("dave", "hana")
REFERRED_PARTNER = allow("dave")
# The API's collection endpoints answer every signed-in user, each with their own scope (checked
# by ListScopeTests); creating needs a case role (403 for the others).
API_LIST = allow(*USERS, anon=LOGIN)
API_CREATE = allow("alice", "bob", "carol", "frank", rest=FORBIDDEN)
# A supervisor's action in the API: the owner's empty body fails validation (400) before the role
# is checked; SupervisorActionTests shows that her valid body is refused and changes nothing.
SUPERVISOR_API = allow("bob", "frank", alice=INVALID)
# The results framework's pages: the programme's M&E officer and manager (aggregates only).
RESULTS = allow("erin", "frank")


@dataclass(frozen=True)
class Entry:
    get: Expect | None
    post: Expect | None = None
    kw: dict[str, str] = field(default_factory=dict)  # URL parameter -> planted record
    personal: bool = False  # shows one person's/household's/case's personal data (audited read)
    listing: bool = False  # lists records: checked for out-of-scope ids
    query: str = ""  # a query string the URL needs, formatted with the planted records' ids


def api(pk: str, get: Expect | None, post: Expect | None = None, personal: bool = False) -> Entry:
    return Entry(get, post, {"pk": pk}, personal=personal)


MATRIX: dict[str, Entry] = {
    # — no personal data, no sign-in —
    "healthz": Entry(PUBLIC),
    "set_language": Entry(PUBLIC, PUBLIC),  # sets a cookie and redirects
    "api-schema": Entry(PUBLIC),  # the OpenAPI description: no data
    "api-docs": Entry(PUBLIC),
    # — the programme's own pages —
    "security:index": Entry(EVERYONE, EVERYONE),  # the user's own sessions and factors
    "security:session-end": Entry(None, NOBODY, {"session_id": "session_id"}),
    "security:sessions-end-others": Entry(None, EVERYONE),
    "web:home": Entry(EVERYONE),
    "web:notifications": Entry(EVERYONE, listing=True),
    "web:notifications-read-all": Entry(None, EVERYONE),
    "web:notification-read": Entry(None, allow("alice")),  # alice's own notification
    # — registry —
    "registry:households": Entry(PROGRAMME_STAFF, listing=True),
    "registry:household-new": Entry(PROGRAMME_STAFF, PROGRAMME_STAFF),
    "registry:member-form": Entry(PROGRAMME_STAFF),
    "registry:mahalla-options": Entry(EVERYONE),  # place names only
    "registry:household": Entry(CASE_TEAM, personal=True),
    "registry:household-edit": Entry(CASE_TEAM, CASE_TEAM),
    "registry:member-add": Entry(CASE_TEAM, CASE_TEAM),
    "registry:household-enrol": Entry(CASE_TEAM, CASE_TEAM),
    "registry:person": Entry(CASE_TEAM, personal=True),
    "registry:person-edit": Entry(CASE_TEAM, CASE_TEAM),
    "registry:care-new": Entry(CASE_TEAM, CASE_TEAM),
    "registry:consent-new": Entry(CASE_TEAM, CASE_TEAM),
    "registry:person-enrol": Entry(CASE_TEAM, CASE_TEAM),
    "registry:consent-withdraw": Entry(CASE_TEAM, CASE_TEAM),
    "registry:enrolment-status": Entry(CASE_TEAM, CASE_TEAM),
    "registry_api:api-root": Entry(EVERYONE | {"anon": FORBIDDEN}),
    "registry_api:household-list": Entry(API_LIST, API_CREATE, listing=True),
    "registry_api:household-detail": api("household_id", CASE_TEAM, personal=True),
    "registry_api:person-list": Entry(API_LIST, API_CREATE, listing=True),
    "registry_api:person-detail": api("person_id", CASE_TEAM, personal=True),
    # — duplicates (supervisors and managers review them) —
    "dedup:queue": Entry(SUPERVISORS, listing=True),
    "dedup:candidate": Entry(SUPERVISORS, personal=True),
    "dedup:not-same": Entry(None, SUPERVISORS),
    "dedup:merge": Entry(None, SUPERVISORS),
    "dedup:undo": Entry(None, NOBODY, {"merge_id": "missing"}),
    # — cases —
    "cases:cases": Entry(PROGRAMME_STAFF, listing=True),
    "cases:team": Entry(SUPERVISORS, listing=True),
    "cases:due": Entry(PROGRAMME_STAFF, listing=True),
    "cases:report-care": Entry(SUPERVISORS, listing=True),
    "cases:case-open": Entry(CASE_TEAM, CASE_TEAM),
    "cases:case": Entry(CASE_TEAM, personal=True),
    "cases:visit-new": Entry(CASE_TEAM, CASE_TEAM),
    "cases:risk": Entry(CASE_TEAM, CASE_TEAM),
    # supervisor's actions: the owner sees the case, so a 403 confirms nothing she does not know
    "cases:reassign": Entry(
        allow("bob", "frank", alice=FORBIDDEN), allow("bob", "frank", alice=FORBIDDEN)
    ),
    "cases:transfer": Entry(
        allow("bob", "frank", alice=FORBIDDEN), allow("bob", "frank", alice=FORBIDDEN)
    ),
    "cases:closure-decide": Entry(
        allow("bob", "frank", alice=FORBIDDEN), allow("bob", "frank", alice=FORBIDDEN)
    ),
    "cases:reopen": Entry(CASE_TEAM, CASE_TEAM),
    "cases:gatekeeping-new": Entry(CASE_TEAM, CASE_TEAM),
    "cases:care-change": Entry(CASE_TEAM, CASE_TEAM),
    "cases:placement-review": Entry(NOBODY, NOBODY, {"placement_id": "missing"}),
    "cases_api:case-list": Entry(API_LIST, API_CREATE, listing=True),
    "cases_api:case-detail": api("case_id", CASE_TEAM, personal=True),
    "cases_api:case-care-changes": api("case_id", None, CASE_TEAM),
    "cases_api:case-closure-decision": api("case_id", None, SUPERVISOR_API),
    "cases_api:case-closure-request": api("case_id", None, CASE_TEAM),
    "cases_api:case-gatekeeping": api("case_id", None, CASE_TEAM),
    "cases_api:case-reassign": api("case_id", None, SUPERVISOR_API),
    "cases_api:case-reopen": api("case_id", None, CASE_TEAM),
    "cases_api:case-risk": api("case_id", None, CASE_TEAM),
    "cases_api:case-transfer": api("case_id", None, SUPERVISOR_API),
    "cases_api:case-visits": api("case_id", CASE_TEAM, CASE_TEAM, personal=True),
    "cases_api:due-list": Entry(API_LIST, listing=True),
    "cases_api:report-care-list": Entry(SUPERVISORS, listing=True),
    "cases_api:notification-list": Entry(API_LIST, listing=True),
    "cases_api:notification-read": api("notification_id", None, allow("alice")),
    # — assessments —
    "assessments:case-assessments": Entry(CASE_TEAM),
    "assessments:assessment-new": Entry(CASE_TEAM, CASE_TEAM),
    "assessments:assessment": Entry(CASE_TEAM, personal=True),
    "assessments_api:instrument-list": Entry(API_LIST),  # the instruments: no one's data
    "assessments_api:instrument-detail": api("instrument_id", EVERYONE),
    "assessments_api:assessment-list": Entry(
        CASE_TEAM,
        # Creating is for the case roles (403 first); theirs fails validation before the case
        # is looked up (the case is a field).
        API_CREATE,
        listing=True,
        query="case={case_id}",  # assessments are listed per case
    ),
    "assessments_api:assessment-detail": api("assessment_id", CASE_TEAM, personal=True),
    # — plans —
    "plans:plan": Entry(CASE_TEAM, personal=True),
    "plans:plan-new": Entry(CASE_TEAM, CASE_TEAM),
    "plans:plan-review": Entry(CASE_TEAM, CASE_TEAM),
    "plans:goal-new": Entry(CASE_TEAM, CASE_TEAM),
    "plans:goals-suggested": Entry(None, CASE_TEAM),
    "plans:plan-submit": Entry(None, CASE_TEAM),
    "plans:plan-decide": Entry(SUPERVISORS, SUPERVISORS),
    "plans:plan-revise": Entry(None, CASE_TEAM),
    "plans:action-new": Entry(CASE_TEAM, CASE_TEAM),
    "plans:goal-status": Entry(None, CASE_TEAM),
    "plans:goal-remove": Entry(None, CASE_TEAM),
    "plans:action-status": Entry(None, CASE_TEAM),
    "plans:action-remove": Entry(None, CASE_TEAM),
    "plans:case_close": Entry(CASE_TEAM, CASE_TEAM),
    "plans_api:plan-list": Entry(CASE_TEAM, API_CREATE, listing=True, query="case={case_id}"),
    "plans_api:plan-detail": api("plan_id", CASE_TEAM, personal=True),
    "plans_api:plan-decide": api("plan_id", None, SUPERVISOR_API),
    "plans_api:plan-revise": api("plan_id", None, CASE_TEAM),
    "plans_api:plan-submit": api("plan_id", None, CASE_TEAM),
    # — services and referrals —
    "support:deliveries": Entry(PROGRAMME_STAFF, listing=True),
    "support:delivery-new": Entry(PROGRAMME_STAFF, PROGRAMME_STAFF),
    "support:delivery": Entry(CASE_TEAM, personal=True),
    "support:case-delivery-new": Entry(CASE_TEAM, CASE_TEAM),
    "support:case-support": Entry(CASE_TEAM, personal=True),
    "support:referral-new": Entry(CASE_TEAM, CASE_TEAM),
    "support:referrals": Entry(PROGRAMME_STAFF, listing=True),
    "support:referral": Entry(CASE_TEAM, personal=True),
    "support:referral-accept": Entry(None, CASE_TEAM),
    "support:referral-decline": Entry(None, CASE_TEAM),
    "support:referral-report": Entry(None, CASE_TEAM),
    "support:partner-referrals": Entry(PARTNERS, listing=True),
    "support:partner-referral": Entry(REFERRED_PARTNER, personal=True),
    "support:partner-referral-accept": Entry(None, REFERRED_PARTNER),
    "support:partner-referral-decline": Entry(None, REFERRED_PARTNER),
    "support:partner-referral-report": Entry(None, REFERRED_PARTNER),
    "support_api:service-type-list": Entry(API_LIST),  # the catalogue: no one's data
    # A service type of the programme: for its staff and the agencies offering it (School 12).
    "support_api:service-type-detail": api(
        "service_type_id", allow("alice", "bob", "carol", "dave", "erin", "frank", "grace")
    ),
    "support_api:delivery-list": Entry(API_LIST, API_CREATE, listing=True),
    "support_api:delivery-detail": api("delivery_id", CASE_TEAM, personal=True),
    "support_api:referral-list": Entry(API_LIST, API_CREATE, listing=True),
    "support_api:referral-detail": api("referral_id", CASE_TEAM, personal=True),
    "support_api:referral-accept": api("referral_id", None, CASE_TEAM),
    "support_api:referral-decline": api("referral_id", None, CASE_TEAM),
    "support_api:referral-report": api("referral_id", None, CASE_TEAM),
    "support_api:partner-referral-list": Entry(API_LIST, listing=True),
    "support_api:partner-referral-detail": api("referral_id", REFERRED_PARTNER, personal=True),
    "support_api:partner-referral-accept": api("referral_id", None, REFERRED_PARTNER),
    "support_api:partner-referral-decline": api("referral_id", None, REFERRED_PARTNER),
    "support_api:partner-referral-report": api("referral_id", None, REFERRED_PARTNER),
    # — youth employability (the young person is a member of alice's household) —
    "youth:list": Entry(PROGRAMME_STAFF, listing=True),
    "youth:person": Entry(CASE_TEAM, kw={"person_id": "youth_person_id"}, personal=True),
    "youth:training-new": Entry(CASE_TEAM, CASE_TEAM, {"person_id": "youth_person_id"}),
    "youth:placement-new": Entry(CASE_TEAM, CASE_TEAM, {"person_id": "youth_person_id"}),
    "youth:training-complete": Entry(CASE_TEAM, CASE_TEAM),
    "youth:placement-end": Entry(CASE_TEAM, CASE_TEAM),
    "youth:follow-up-record": Entry(CASE_TEAM, CASE_TEAM),
    "youth_api:youth-training-list": Entry(API_LIST, API_CREATE, listing=True),
    "youth_api:youth-training-detail": api("training_id", CASE_TEAM, personal=True),
    "youth_api:youth-training-complete": api("training_id", None, CASE_TEAM),
    "youth_api:placement-list": Entry(API_LIST, API_CREATE, listing=True),
    "youth_api:placement-detail": api("placement_id", CASE_TEAM, personal=True),
    "youth_api:placement-end": api("placement_id", None, CASE_TEAM),
    "youth_api:follow-up-list": Entry(API_LIST, listing=True),
    "youth_api:follow-up-detail": api("follow_up_id", CASE_TEAM, personal=True),
    "youth_api:follow-up-record": api("follow_up_id", None, CASE_TEAM),
    # — capacity building of specialists (programme-wide, the manager's) —
    "training:events": Entry(PROGRAMME_STAFF, listing=True),
    "training:event-new": Entry(PROGRAMME_STAFF, PROGRAMME_STAFF),
    "training:event": Entry(PROGRAMME_STAFF),
    "training:event-edit": Entry(PROGRAMME_STAFF, PROGRAMME_STAFF),
    "training:participants-add": Entry(PROGRAMME_STAFF, PROGRAMME_STAFF),
    "training:results": Entry(PROGRAMME_STAFF, PROGRAMME_STAFF),
    "training:participant-remove": Entry(None, PROGRAMME_STAFF),
    "training:specialists": Entry(PROGRAMME_STAFF, listing=True),
    "training:specialist-new": Entry(PROGRAMME_STAFF, PROGRAMME_STAFF),
    "training:specialist": Entry(PROGRAMME_STAFF, PROGRAMME_STAFF, {"person_id": "specialist_id"}),
    "training_api:event-list": Entry(API_LIST, API_CREATE, listing=True),
    "training_api:event-detail": api("event_id", PROGRAMME_STAFF),
    "training_api:event-participants": api("event_id", None, PROGRAMME_STAFF),
    "training_api:event-results": api("event_id", None, PROGRAMME_STAFF),
    "training_api:specialist-list": Entry(API_LIST, API_CREATE, listing=True),
    "training_api:specialist-detail": api("specialist_id", PROGRAMME_STAFF),
    "training_api:specialist-profile": api("specialist_id", None, PROGRAMME_STAFF),
    # — data protection (ADR 0017): the DPO's pages; break-the-glass for caseworkers and
    # supervisors (the empty POST fails validation: a reason is needed) —
    "privacy:index": Entry(allow("grace")),
    "privacy:break-glass": Entry(allow("alice", "bob", "carol"), allow("alice", "bob", "carol")),
    "privacy:grants": Entry(allow("grace")),
    "privacy:audit": Entry(allow("grace")),
    "privacy:alerts": Entry(allow("grace")),
    # The subject-access export shows the person's data to the DPO by design (PersonalDataTests
    # leaves it out for grace); one audit event per export.
    "privacy:export-json": Entry(allow("grace"), personal=True),
    "privacy:export-pdf": Entry(allow("grace"), personal=True),
    # — results framework (ADR 0016): the programme's M&E officer and manager; aggregates only, so
    # erin sees them (the administrator manages users, not programmes' results: 404) —
    "results:index": Entry(RESULTS),
    "results:dashboard": Entry(RESULTS, kw={"slug": "programme_slug"}),
    "results:export": Entry(RESULTS, kw={"slug": "programme_slug", "fmt": "export_format"}),
    "results:framework": Entry(RESULTS, kw={"slug": "programme_slug"}),
    "results:outcome-new": Entry(RESULTS, RESULTS, kw={"slug": "programme_slug"}),
    "results:outcome-edit": Entry(RESULTS, RESULTS, kw={"slug": "programme_slug"}),
    "results:output-new": Entry(RESULTS, RESULTS, kw={"slug": "programme_slug"}),
    "results:output-edit": Entry(RESULTS, RESULTS, kw={"slug": "programme_slug"}),
    "results:indicator-new": Entry(RESULTS, RESULTS, kw={"slug": "programme_slug"}),
    "results:indicator": Entry(RESULTS, kw={"slug": "programme_slug"}),
    "results:indicator-edit": Entry(RESULTS, RESULTS, kw={"slug": "programme_slug"}),
    "results:target-new": Entry(RESULTS, RESULTS, kw={"slug": "programme_slug"}),
    "results:target-edit": Entry(RESULTS, RESULTS, kw={"slug": "programme_slug"}),
    # an empty POST would remove the planted target: walked on a target that does not exist
    "results:target-delete": Entry(
        None, NOBODY, kw={"slug": "programme_slug", "target_id": "missing"}
    ),
    "results_api:indicators": Entry(
        allow("erin", "frank", anon=LOGIN), kw={"slug": "programme_slug"}
    ),
    # — the public programme page: aggregates only, no sign-in (the planted programme is published) —
    "public:programme": Entry(PUBLIC, kw={"slug": "programme_slug"}),
    # A photo is served only while everyone in it consents; none is planted, so it is not found.
    "public:photo": Entry(
        allow(anon=NOT_FOUND), kw={"slug": "programme_slug", "photo_id": "missing"}
    ),
    # The gallery's management: the programme's staff (the list names no one; the form lists the
    # people with a current photo consent whom the user may see).
    "public:photos": Entry(PROGRAMME_STAFF, PROGRAMME_STAFF, {"slug": "programme_slug"}),
    "public:photo-delete": Entry(None, NOBODY, {"slug": "programme_slug", "photo_id": "missing"}),
    # — bulk import and export: imports for the case roles, exports for them and M&E officers
    # (pseudonymised); a job is its creator's only, and none is planted, so job pages are 404 —
    "transfer:index": Entry(allow("alice", "bob", "carol", "erin", "frank")),
    "transfer:template": Entry(PROGRAMME_STAFF, query="type=people&format=csv"),
    "transfer:import": Entry(PROGRAMME_STAFF, PROGRAMME_STAFF),
    "transfer:export": Entry(
        allow("alice", "bob", "carol", "erin", "frank"),
        allow("alice", "bob", "carol", "erin", "frank"),
        query="list=households",
    ),
    "transfer:job": Entry(NOBODY, kw={"job_id": "missing"}),
    "transfer:job-progress": Entry(NOBODY, kw={"job_id": "missing"}),
    "transfer:job-commit": Entry(None, NOBODY, kw={"job_id": "missing"}),
    "transfer:job-download": Entry(NOBODY, kw={"job_id": "missing"}),
}

# URL patterns outside the matrix, each with the reason. Anything else without an entry fails.
NOT_IN_MATRIX: dict[str, str] = {
    # The admin has its own permission system (is_staff + model permissions):
    # AdminTests checks that every non-staff user is sent to the login page instead.
    "admin/": "Django admin: staff only, checked by AdminTests",
    # django-allauth's sign-in, password and second-factor pages act on the signed-in user only
    # (or on nobody before sign-in) and hold no record of anyone else; tests/security/test_login.py,
    # test_mfa.py, test_passwords.py and test_sessions.py test them.
    "accounts/": "django-allauth sign-in, password, MFA and session pages: the user's own account",
}
