"""One settings module: every difference between deployments comes from environment variables.

Modes: production (the default; SECRET_KEY and the field keys are required), DEBUG=1 (development),
OILA_DEMO=1 (the demo programme on a laptop) and OILA_TESTING=1 (the test suite). Outside production a
secret is generated once and kept under var/, so nothing secret is ever written in the code.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("OILA_VAR_DIR", Path.cwd() / "var"))

DEBUG = env_bool("DEBUG")
DEMO = env_bool("OILA_DEMO")
TESTING = env_bool("OILA_TESTING")
PRODUCTION = not (DEBUG or DEMO or TESTING)


def _local_secret(name: str) -> str:
    """A random secret kept in var/ so that a laptop install survives restarts (never in production)."""
    if TESTING:
        return secrets.token_urlsafe(48)
    path = VAR_DIR / name
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set (or run with DEBUG=1 / OILA_DEMO=1 for a local install)."
        )
    SECRET_KEY = _local_secret("secret-key")

# Keys for encrypted fields: comma-separated Fernet keys, newest first (older ones still decrypt, which is
# how keys are rotated), and a separate key for the keyed hashes that make encrypted identifiers findable.
OILA_FIELD_KEYS = env_list("OILA_FIELD_KEYS")
OILA_HASH_KEY = os.environ.get("OILA_HASH_KEY", "")
if PRODUCTION and not (OILA_FIELD_KEYS and OILA_HASH_KEY):
    raise ImproperlyConfigured("OILA_FIELD_KEYS and OILA_HASH_KEY must be set in production.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "huey.contrib.djhuey",
    "oila.common",
    "oila.geo",
    "oila.accounts",
    "oila.audit",
    "oila.registry",
    "oila.dedup",
    "oila.cases",
    "oila.assessments",
    "oila.plans",
    "oila.support",
    "oila.youth",
    "oila.training",
    "oila.results",
    "oila.transfer",
    "oila.privacy",
    "oila.public",
    "oila.web",
    "oila.demo",
    # Sign-in, MFA, lockout and the security headers (ADR 0012, 0013). oila.security comes before
    # allauth so that its templates (allauth's pages in the project's look) win.
    "oila.security",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "axes",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "oila.security.middleware.SessionPolicyMiddleware",
    "oila.security.middleware.MfaRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "oila.audit.middleware.AuditContextMiddleware",
    "oila.privacy.middleware.BreakGlassAuditMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged during authentication into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "oila.urls"
WSGI_APPLICATION = "oila.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]
# Django's form templates, the commonest (a field, its label and errors, inputs, selects) written in
# Python with the same output (oila.common.renderer).
FORM_RENDERER = "oila.common.renderer.FormRenderer"

# Database: DATABASE_URL, by default an embedded SQLite file under var/ in WAL mode.
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'oila.sqlite3'}"
# A web worker keeps its connection for ten minutes: PostgreSQL's prepared statements and their plans
# live as long as it does (ADR 0023); a worker whose connection broke opens a new one at its next
# request.
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at BEGIN, so two
        # writers queue instead of failing half-way (which also keeps the audit hash chain linear).
        # A 64 MiB page cache (the default is 2 MiB): a bulk import inserts into tables whose indexes
        # outgrow 2 MiB at a few thousand people, and every insert then reads pages back from disk.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA cache_size=-65536;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    if not TESTING and DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
elif DATABASES["default"]["ENGINE"].endswith("postgresql") and not env_bool("OILA_PG_JIT"):
    # No JIT compilation (OILA_PG_JIT=1 allows it): at a million people the planner's cost of some
    # page queries passes JIT's threshold and compiling took seconds for a query that runs in
    # milliseconds (docs/deploy.md, "Measured").
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
if DATABASES["default"]["ENGINE"].endswith("postgresql") and env_bool("OILA_PG_PREPARED", True):
    # Parameters bound by the server and statements prepared on their second use in a connection:
    # PostgreSQL plans a page's queries once per connection instead of at every request (planning
    # took longer than running for most page queries at a million people; docs/adr/0023). A
    # connection pooler that cannot keep prepared statements needs OILA_PG_PREPARED=0.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 2}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "account_login"
# django-axes first: it refuses a locked-out username before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # allauth's, reading the signed-in user with their team, programme and unread count (sessions
    # signed in under allauth's own path, before this, end once: their backend is no longer listed)
    "oila.accounts.backends.AuthenticationBackend",
]

# Sign-in (django-allauth): usernames, no self sign-up (administrators make accounts), no e-mail
# verification (addresses are optional and set by administrators). ADR 0012.
ACCOUNT_ADAPTER = "oila.security.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False  # no "remember me": the session cookie ends with the browser
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False  # the others end (Django's session hash); this one stays
ACCOUNT_PREVENT_ENUMERATION = True
# allauth's per-process limits stay as a second line (they also throttle MFA codes: 5 wrong codes per
# 5 minutes per user); the lockout that counts across processes is django-axes, below.
ACCOUNT_RATE_LIMITS = {"login": "60/m/ip"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "oila"
MFA_PASSKEY_LOGIN_ENABLED = False
# Browsers allow WebAuthn on http://localhost only; elsewhere it needs HTTPS.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
# Roles that must use a second factor; every other role is offered one (the Security page). Not in the
# demo: its logins are shared and printed on screen, and the first visitor to enrol an authenticator
# in one would lock every later visitor out of it.
OILA_MFA_REQUIRED_ROLES = env_list(
    "OILA_MFA_REQUIRED_ROLES", "" if DEMO else "admin,dpo,supervisor,manager"
)
USERSESSIONS_TRACK_ACTIVITY = False  # oila.security's middleware records activity once a minute

# Lockout (django-axes): 5 failures for one username from one address lock that pair for 15 minutes.
# Username *and* address, so that nobody elsewhere can lock a caseworker out by guessing at their name,
# while a whole office behind one address is not locked out by one person's typing.
AXES_FAILURE_LIMIT = int(os.environ.get("OILA_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = int(os.environ.get("OILA_LOCKOUT_MINUTES", "15")) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "security/lockout.html"
AXES_USERNAME_CALLABLE = "oila.security.adapter.axes_username"
AXES_VERBOSE = False

# How long a web worker keeps the districts and mahallas it shows in selects (geo.selectors): the
# other workers see an administrator's edit of a place within this time. The suite reads them fresh
# (its own tests turn the keeping on) so that each test's places are its own.
OILA_PLACE_CACHE_SECONDS = 0 if TESTING else int(os.environ.get("OILA_PLACE_CACHE_SECONDS", "60"))

# Sessions: an absolute lifetime of 12 hours from sign-in and 30 minutes without activity, checked by
# oila.security.middleware.SessionPolicyMiddleware (a new session key at every sign-in is Django's).
OILA_SESSION_IDLE_SECONDS = int(os.environ.get("OILA_SESSION_IDLE_MINUTES", "30")) * 60
OILA_SESSION_ABSOLUTE_SECONDS = int(os.environ.get("OILA_SESSION_HOURS", "12")) * 3600
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tests assert the English message ids; the translation tests choose their languages themselves.
LANGUAGE_CODE = os.environ.get("OILA_LANGUAGE", "en" if TESTING else "uz")
LANGUAGES = [
    ("uz", _("Uzbek (Latin)")),
    ("uz-cyrl", _("Uzbek (Cyrillic)")),
    ("ru", _("Russian")),
    ("en", _("English")),
]
EXTRA_LANG_INFO = {
    "uz-cyrl": {
        "bidi": False,
        "code": "uz-cyrl",
        "name": "Uzbek (Cyrillic)",
        "name_local": "Ўзбекча",
    },
}
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("OILA_TIME_ZONE", "Asia/Tashkent")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("OILA_STATIC_ROOT", VAR_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = Path(os.environ.get("OILA_MEDIA_ROOT", VAR_DIR / "media"))
# Uploads (oila.common.uploads): at most this many bytes, JPEG, PNG, WebP or PDF by their content.
OILA_UPLOAD_MAX_BYTES = int(os.environ.get("OILA_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # Django's default, stated: form posts without files
# Bulk import and export (oila.transfer, ADR 0018): files live under OILA_TRANSFER_DIR (readable by the
# service user only) and are served only through a permission-checked view. An import file may have at
# most this many bytes and rows; a report keeps at most this many problems (the rest are counted).
# Export downloads, and import files, expire after OILA_EXPORT_HOURS.
OILA_TRANSFER_DIR = Path(os.environ.get("OILA_TRANSFER_DIR", VAR_DIR / "transfer"))
OILA_IMPORT_MAX_BYTES = int(os.environ.get("OILA_IMPORT_MAX_BYTES", str(25 * 1024 * 1024)))
OILA_IMPORT_MAX_ROWS = int(os.environ.get("OILA_IMPORT_MAX_ROWS", "200000"))
OILA_IMPORT_MAX_PROBLEMS = int(os.environ.get("OILA_IMPORT_MAX_PROBLEMS", "1000"))
OILA_EXPORT_HOURS = int(os.environ.get("OILA_EXPORT_HOURS", "24"))
# Backups (`oila backup`): encrypted with this key (Fernet, 32 url-safe base64 bytes); outside
# production derived from SECRET_KEY like the field keys.
OILA_BACKUP_KEY = os.environ.get("OILA_BACKUP_KEY", "")

# Security. Production sits behind a TLS-terminating proxy.
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts and styles only from our own static files, never
# inline; no framing. The API docs page (Redoc) widens style-src for itself only (oila/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("OILA_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # "__Host-": the browser accepts the cookie only over HTTPS (or localhost), for this host alone.
    SESSION_COOKIE_NAME = "__Host-oila_session"
    CSRF_COOKIE_NAME = "__Host-oila_csrftoken"
    SECURE_HSTS_SECONDS = int(os.environ.get("OILA_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("OILA_HSTS_PRELOAD", True)
    SILENCED_SYSTEM_CHECKS: list[str] = []

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "oila.common.api.exception_handler",
    "DEFAULT_METADATA_CLASS": "oila.common.api.Metadata",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "oila API",
    "DESCRIPTION": """Households and people of family-strengthening programmes (v1).

**Authentication.** Either the session of a user signed in to the web application (writes then need
the `X-CSRFToken` header), or a token sent as `Authorization: Token <key>`. Tokens are issued by an
administrator in the Django admin (*Auth Token › Tokens › Add token*, one per user); treat a token
like a password, and delete it there to revoke it. Without either, requests get 401.

**What you see.** Every request sees only the records the user's role and team may see: a record
outside that scope answers 404, exactly as one that does not exist. Roles that do not register
families get empty lists and 403 when they try to create one.

**Privacy.** Lists return summaries; reading a household's or a person's full record is written to the
audit log. A PINFL is accepted on input but only ever returned masked (`pinfl_masked`).

**Errors.** Invalid input answers 400 with an object of field names to lists of messages (a
member's errors under `members`, keyed by the member's position); nothing is saved.

**Lists** are paginated: `page`, 50 to a page.
""",
    "VERSION": "1",
    # The six Washington Group questions share one answer scale, so one enum.
    "ENUM_NAME_OVERRIDES": {
        "DifficultyEnum": "oila.registry.models.Person.Difficulty",
        "HouseholdKindEnum": "oila.registry.models.Household.Kind",
        # Cases (several models have a "kind", "status" or "decision" of their own).
        "CaseKindEnum": "oila.cases.models.Case.Kind",
        "CaseStatusEnum": "oila.cases.models.Case.Status",
        "RiskEnum": "oila.cases.models.Case.Risk",
        "CaseStepEnum": "oila.cases.models.Case.Step",
        "ClosureReasonEnum": "oila.cases.models.Case.ClosureReason",
        "VisitKindEnum": "oila.cases.models.Visit.Kind",
        "GatekeepingDecisionEnum": "oila.cases.models.GatekeepingDecision.Decision",
        "CareTypeEnum": "oila.registry.models.CareArrangement.Type",
        "FormalCareEnum": "oila.cases.api.serializers.FORMAL_CARE_CHOICES",
        "DueKindEnum": "oila.cases.api.serializers.DUE_KINDS",
        # Plans (a plan, its goals and their actions each have a "status" of their own).
        "PlanStatusEnum": "oila.plans.models.Plan.Status",
        "GoalStatusEnum": "oila.plans.models.Goal.Status",
        "ActionStatusEnum": "oila.plans.models.Action.Status",
        "PlanDecisionEnum": "oila.plans.api.DECISIONS",
        # Services and referrals (a referral's and a delivery's "status" and "kind").
        "ReferralStatusEnum": "oila.support.models.Referral.Status",
        "DeliveryKindEnum": "oila.support.models.ServiceDelivery.Kind",
        # Youth employability (trainings and placements each have a "kind" of their own).
        "YouthTrainingKindEnum": "oila.youth.models.YouthTraining.Kind",
        "PlacementKindEnum": "oila.youth.models.Placement.Kind",
    },
    # Tags and operation ids from the resource ("households_list"), not the version ("v1_…").
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Background jobs: SQLite storage embedded; Redis in production when REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "")
HUEY = {
    "name": "oila",
    "immediate": TESTING,
    "results": False,
    "utc": True,
}
if REDIS_URL:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": REDIS_URL})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "jobs.sqlite3")})
    if not TESTING:  # huey opens its file as soon as the app loads (tests run it in memory)
        VAR_DIR.mkdir(parents=True, exist_ok=True)

OILA_BASE_URL = os.environ.get("OILA_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("OILA_LOG_LEVEL", "INFO")},
}

# Read alerts (oila.audit.tasks.raise_read_alerts, every 10 minutes): the data protection officers
# are told when one user reads more than this many different records within this many minutes.
OILA_READ_ALERT_COUNT = int(os.environ.get("OILA_READ_ALERT_COUNT", "50"))
OILA_READ_ALERT_MINUTES = int(os.environ.get("OILA_READ_ALERT_MINUTES", "10"))
