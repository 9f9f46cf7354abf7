"""Care Hub settings, read from the environment.

Demo defaults exist so that `make demo` works on a fresh machine; production (`CAREHUB_ENV=production`) refuses to
start with any of them, because a demo key in production would expose every survivor's identity.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from carehub.core import helplines
from carehub.core.addresses import parse_networks

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("CAREHUB_VAR_DIR", PROJECT_DIR / "var"))

# Published on purpose: these only protect demo data and production refuses them.
DEMO_SECRET_KEY = "carehub-demo-secret-key-not-for-production-5c1f0e9b7a2d4e6f8a1b3c5d7e9f0a2b"  # noqa: S105
DEMO_FIELD_KEYS = "Y2FyZWh1Yi1kZW1vLWZpZWxkLWtleS1ub3QtcHJvZCE="
DEMO_HASH_KEY = "carehub-demo-lookup-hash-key-not-for-production"


def envbool(name: str, default: bool) -> bool:
    """Read a boolean strictly: an ambiguous value such as 'yes please' is a configuration error."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def envsecret(name: str, default: str) -> str:
    """Read a secret from NAME, or from the file named by NAME_FILE (for container secrets).

    A NAME_FILE that cannot be read is an error, never a silent fall-back to the demo default.
    """
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE names a file that cannot be read: {exc.strerror}") from exc
    return os.environ.get(name, default)


def envint(name: str, default: int) -> int:
    """Read a whole number, naming the variable when it is not one rather than failing with a bare ValueError."""
    raw = os.environ.get(name, "")
    if raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def _invalid_fernet_keys(keys: list[str]) -> int:
    """How many keys are not Fernet keys: a typo would otherwise surface only when a record is first opened."""
    invalid = 0
    for key in keys:
        try:
            Fernet(key.encode())
        except ValueError:
            invalid += 1
    return invalid


CAREHUB_ENV = os.environ.get("CAREHUB_ENV", "demo")
if CAREHUB_ENV not in {"demo", "production"}:
    raise ImproperlyConfigured(f"CAREHUB_ENV must be 'demo' or 'production', not {CAREHUB_ENV!r}")
PRODUCTION = CAREHUB_ENV == "production"

SECRET_KEY = envsecret("CAREHUB_SECRET_KEY", DEMO_SECRET_KEY)
FIELD_KEYS = [k.strip() for k in envsecret("CAREHUB_FIELD_KEYS", DEMO_FIELD_KEYS).split(",") if k.strip()]
HASH_KEY = envsecret("CAREHUB_HASH_KEY", DEMO_HASH_KEY)
# Lower case so it never becomes a setting: a URL carries the database password, and settings get displayed.
_database_url = envsecret("DATABASE_URL", "")
# Off in the demo too: the demo should look like production, and Django's debug 404 page lists every URL pattern.
DEBUG = envbool("CAREHUB_DEBUG", default=False)
# A second factor is mandatory for staff in production; demo users may skip it so the demo needs no phone.
OTP_REQUIRED = envbool("CAREHUB_OTP_REQUIRED", default=PRODUCTION)
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("CAREHUB_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h.strip()
]

if _invalid_fernet_keys(FIELD_KEYS):
    raise ImproperlyConfigured("CAREHUB_FIELD_KEYS must hold Fernet keys (32 url-safe base64-encoded bytes each)")

# The proxies whose X-Forwarded-For is believed (addresses or CIDR networks); see core/addresses.py.
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("CAREHUB_TRUSTED_PROXIES", "").split(",") if p.strip()]
try:
    _trusted_networks = parse_networks(TRUSTED_PROXIES)
except ValueError as exc:
    raise ImproperlyConfigured(f"CAREHUB_TRUSTED_PROXIES: {exc}") from None


def _production_problems() -> list[str]:
    """Every reason this configuration would put survivors' data at risk in production, each named plainly."""
    problems = []
    if DEBUG:
        problems.append("DEBUG is on")
    if SECRET_KEY == DEMO_SECRET_KEY or len(SECRET_KEY) < 50:
        problems.append("CAREHUB_SECRET_KEY is the demo key or shorter than 50 characters")
    if DEMO_FIELD_KEYS in FIELD_KEYS or not FIELD_KEYS:
        problems.append("CAREHUB_FIELD_KEYS is missing or contains the demo key")
    if HASH_KEY == DEMO_HASH_KEY or len(HASH_KEY) < 32:
        problems.append("CAREHUB_HASH_KEY is the demo key or shorter than 32 characters")
    if not _database_url:
        problems.append("DATABASE_URL is not set")
    if not OTP_REQUIRED:
        problems.append("CAREHUB_OTP_REQUIRED is off (the second factor is mandatory in production)")
    if not os.environ.get("CAREHUB_ALLOWED_HOSTS") or "*" in ALLOWED_HOSTS:
        problems.append("CAREHUB_ALLOWED_HOSTS is not set to the site's host names")
    if any(network.prefixlen == 0 for network in _trusted_networks):
        problems.append("CAREHUB_TRUSTED_PROXIES trusts every address (anyone could forge the client's address)")
    return problems


if PRODUCTION and (problems := _production_problems()):
    raise ImproperlyConfigured("Care Hub refuses to start in production: " + "; ".join(problems))

INSTALLED_APPS = [
    # runserver leaves static files to WhiteNoise, as production does, whatever DEBUG says.
    "whitenoise.runserver_nostatic",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "carehub.core",
    "carehub.accounts",
    "carehub.audit",
    "carehub.directory",
    "carehub.people",
    "carehub.referrals",
    "carehub.marac",
    "carehub.cases",
    "carehub.independent",
    "carehub.extract",
    "carehub.retention",
    "carehub.assessments",
    "carehub.duration",
    "carehub.commissioning",
    "carehub.coproduction",
    "carehub.rights",
    "carehub.repeats",
    "carehub.search",
    "carehub.notifications",
    "carehub.alerts",
    "django_tasks",
    "django_tasks_db",
    "carehub.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "carehub.core.ratelimit.ApiFailureLimitMiddleware",
    "carehub.core.middleware.ApiBodyLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "carehub.accounts.middleware.SessionLifetimeMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "carehub.accounts.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "carehub.accounts.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
    "carehub.core.middleware.RequestEdgeMiddleware",
]

ROOT_URLCONF = "carehub.urls"
WSGI_APPLICATION = "carehub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "carehub.accounts.context_processors.membership",
                "carehub.notifications.context_processors.header",
            ],
        },
    }
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        _database_url or f"sqlite:///{VAR_DIR / 'carehub.sqlite3'}",
        conn_max_age=envint("CAREHUB_DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while the seeder or a request writes; IMMEDIATE avoids upgrade deadlocks.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("CAREHUB_TEST_DB_NAME") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lock-out: five failures lock the username and address pair for 30 minutes; a success clears the count.
# Locking the pair (not the username alone) stops a stranger locking a worker out of her caseload at will.
# The address is the real client's, seen through a trusted proxy (core/addresses.py); behind the proxy every pair
# would otherwise share the proxy's address, and one stranger's five guesses would lock a worker out everywhere.
AXES_FAILURE_LIMIT = envint("CAREHUB_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "carehub.core.addresses.axes_client_address"
# Besides the pair, an address that fails this often in the cool-off period, whatever usernames it tries, is locked
# out (accounts/lockout.py): higher, since a whole office may sign in from behind one address.
AXES_HANDLER = "carehub.accounts.lockout.PairAndAddressLockout"
LOCKOUT_ADDRESS_FAILURES = envint("CAREHUB_LOCKOUT_ADDRESS_FAILURES", 30)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
# Axes keeps a keyed hash of the username typed, never the text: it may be a password typed in the wrong box.
AXES_USERNAME_CALLABLE = "carehub.accounts.views.lockout_username"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "Care Hub"

# Idle timeout: the session lasts 15 minutes from the last request; and however busy, no longer than
# CAREHUB_SESSION_MAX_HOURS from signing in (accounts/middleware.py, SessionLifetimeMiddleware).
SESSION_COOKIE_AGE = 15 * 60
SESSION_MAX_SECONDS = envint("CAREHUB_SESSION_MAX_HOURS", 10) * 3600
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# A session cookie, not Django's default of a year: on a shared device, a cookie that outlives the browser shows that
# someone visited; the session cookie already ends with the browser (SESSION_EXPIRE_AT_BROWSER_CLOSE).
CSRF_COOKIE_AGE = None
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
if PRODUCTION:
    # The __Host- prefix makes the browser refuse the cookie unless it is Secure, host-only and for the whole site.
    SESSION_COOKIE_NAME = "__Host-carehub_session"
    CSRF_COOKIE_NAME = "__Host-carehub_csrf"
CSRF_FAILURE_VIEW = "carehub.core.errors.csrf_failure"
SECURE_SSL_REDIRECT = PRODUCTION and envbool("CAREHUB_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 31536000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
# Production runs behind a TLS-terminating proxy that sets this header and strips any the client sent.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_CONTENT_TYPE_NOSNIFF = True
# same-origin, not no-referrer: no address ever leaves for another site either way, but under no-referrer browsers
# send "Origin: null" with a same-site form and Django's CSRF check then refuses every sign-in (seen in Chromium).
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

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
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Front-end assets are built by the Makefile from npm packages into build/static; they are never committed.
STATICFILES_DIRS = [BASE_DIR / "static", PROJECT_DIR / "build" / "static"]
# WhiteNoise serves static files with DEBUG off: in production from STATIC_ROOT (`carehub collectstatic`), in the
# demo straight from where they are built, so `make demo` needs no collect step.
WHITENOISE_USE_FINDERS = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Requests larger than this are refused before they are parsed (the API has its own, stricter, limit).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

# Logs never carry personal data: request bodies are not logged and the 404/500 pages show no details.
# Nor secrets: the routes whose URL carries a one-time token (`token`) are redacted in the request and access logs
# (core/logredact.py, installed on django.server, django.request and gunicorn's loggers).
SECRET_URL_NAMES = ("accounts:invitation", "coproduction:feedback_start")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CAREHUB_LOG_LEVEL", "WARNING")},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False}},
}

# --- API --------------------------------------------------------------------------------------------------------
API_MAX_BODY_BYTES = int(os.environ.get("CAREHUB_API_MAX_BODY_BYTES", str(64 * 1024)))
# Calls a minute per organisation, reads and writes alike (the API benchmark sends 300 a second from one key).
API_RATE_LIMIT_PER_MINUTE = envint("CAREHUB_API_RATE_PER_MINUTE", 20000)
# Failed API requests (wrong key, unknown record, invalid body...) a minute per client address.
API_FAILURES_PER_MINUTE = envint("CAREHUB_API_FAILURES_PER_MINUTE", 600)
SELF_REFERRAL_RATE_PER_HOUR = int(os.environ.get("CAREHUB_SELF_REFERRAL_RATE_PER_HOUR", "30"))
# The helplines on every public page (core/helplines.py). Numbers change: CAREHUB_HELPLINES replaces the defaults
# with a JSON list of {"name", "number", "description"}; 999 and the Silent Solution are always shown.
try:
    HELPLINES = helplines.parse(os.environ.get("CAREHUB_HELPLINES", ""))
except ValueError as exc:
    raise ImproperlyConfigured(str(exc)) from None
_REDIS_URL = os.environ.get("CAREHUB_REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _REDIS_URL}
        if _REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "carehub"}
    )
}

# How long a process trusts an API key it has just checked without asking the database again (accounts/apikeys.py).
API_KEY_RECHECK_SECONDS = float(os.environ.get("CAREHUB_API_KEY_RECHECK_SECONDS", "5"))
# How long an administrator's invitation link works (hours): long enough for a weekend, short enough that a link
# forwarded or left in a mailbox soon stops working.
INVITATION_MAX_HOURS = envint("CAREHUB_INVITATION_HOURS", 72)

# Where `carehub eia publish` keeps the equality impact assessment shown at /insight/equality (aggregates only).
EIA_RESULTS_DIR = Path(os.environ.get("CAREHUB_EIA_RESULTS_DIR", VAR_DIR / "eia"))

# Commissioning evidence (`carehub commissioning publish`, issue 15): what the run assumes, over the library's own
# defaults (carehub/insight/commissioning/settings.py: SafeLives' norms of about 40 MARAC cases per 10,000 adult women a
# year and about 100 referrals a year for one full-time IDVA, each with its source; Census 2021 London populations).
# An area sets its own with their sources, e.g.
#   COMMISSIONING_SETTINGS = {"norms": [{"name": "idva_caseload", "value": 90, "unit": "referrals a year for one
#       full-time IDVA", "source": "our IDVA service's 2025 caseload review"}], "cost_per_fte": 45000}
COMMISSIONING_SETTINGS: dict = {}

# --- Retention (issue 19; carehub/retention/schedule.py) ---------------------------------------------------------
# How long a survivor's records are kept, rule by rule, each from a named trigger date. No sector-wide standard
# exists: these defaults follow local practice (../shared/DOMAIN.md, "Retention and survivors' rights") and an
# organisation sets its own, by editing this dict or with CAREHUB_RETENTION_SCHEDULE (JSON, merged over it), e.g.
#   CAREHUB_RETENTION_SCHEDULE='{"adult_case_years": 7}'
# A survivor is due when every rule that applies to her has passed its date (the latest date wins), none of her
# cases or referrals is still open, and no legal hold is on her. `carehub retention run` lists or erases those due.
RETENTION_SCHEDULE: dict = {
    # Adult case records: 6 years after her case closes. Trigger: the latest closure of any of her cases (and, for a
    # woman whose referral never became a case, the latest referral received). An open case is never due.
    "adult_case_years": 6,
    # Records that involve children (a referral with children_count > 0 or children_ages): until the youngest child
    # named is 25 (18 + 6, R(C) v Northumberland [2015] EWHC 2134). Trigger: the referral's date plus (25 - youngest
    # age given) years, the latest birth date the ages allow; an unborn child counts as born a year after it.
    "children_until_age": 25,
    # ... and when the ages cannot be read (words, blanks, fewer ages than children): this many years after the
    # referral, or the adult rule if that is later.
    "children_unknown_years": 25,
    # The sealed pathway (abuse by police officers or staff; the independent service's records): its own line.
    # Trigger: the latest closure of her sealed case.
    "sealed_pathway_years": 6,
    # A survivor record with no referral and no case (her identity written by an intake that never finished, or
    # left behind by one re-pointed elsewhere): nothing to support her with, so kept 1 year. Trigger: the day the
    # record was created, or the latest correction of her details (rectification) if later.
    "unreferred_record_years": 1,
    # Audit events outlive the records they describe: kept at least this long after the event. The retention run
    # never deletes an audit event (the chains are append-only); this is the figure an archive job must respect,
    # and it must exceed every record rule above, the children's rule included (an unborn child's records can be
    # kept 26 years after the referral): checked when the schedule is read.
    "audit_event_years": 30,
}

try:
    RETENTION_SCHEDULE.update(json.loads(os.environ.get("CAREHUB_RETENTION_SCHEDULE") or "{}"))
except (ValueError, TypeError) as exc:
    raise ImproperlyConfigured(f"CAREHUB_RETENTION_SCHEDULE must be a JSON object: {exc}") from None

# How long a process may route with the directory and the open case counts it read last, in seconds, when no signal
# has told it of a change (see referrals/directory_snapshot.py).
ROUTING_DIRECTORY_MAX_AGE = float(os.environ.get("CAREHUB_ROUTING_DIRECTORY_MAX_AGE", "300"))
ROUTING_OPEN_CASES_MAX_AGE = float(os.environ.get("CAREHUB_ROUTING_OPEN_CASES_MAX_AGE", "30"))
# Repeat referrals: the hub is shown earlier survivors at or above this match probability (repeats/services.py).
REPEATS_SUGGESTION_THRESHOLD = float(os.environ.get("CAREHUB_REPEATS_SUGGESTION_THRESHOLD", "0.5"))

# --- Risk rules (SafeLives DASH and MARAC); see referrals/dash.py ----------------------------------------------
DASH_HIGH_RISK_THRESHOLD = int(os.environ.get("CAREHUB_DASH_HIGH_RISK_THRESHOLD", "14"))
MARAC_ESCALATION_CALLOUTS = int(os.environ.get("CAREHUB_MARAC_ESCALATION_CALLOUTS", "3"))
DASH_BANDS_ENABLED = envbool("CAREHUB_DASH_BANDS", default=False)
DASH_MEDIUM_FROM = int(os.environ.get("CAREHUB_DASH_MEDIUM_FROM", "10"))
MARAC_REPEAT_DEFINITION = os.environ.get("CAREHUB_MARAC_REPEAT_DEFINITION", "safelives-2023")
if MARAC_REPEAT_DEFINITION not in {"safelives-2023", "criminal-behaviour"}:
    raise ImproperlyConfigured("CAREHUB_MARAC_REPEAT_DEFINITION must be 'safelives-2023' or 'criminal-behaviour'")
DASH_WORDING_FILE = os.environ.get("CAREHUB_DASH_WORDING_FILE", "")


# Background work (notifications, e-mail, sweeps) on django-tasks with its database backend: the queue is a table,
# so the demo needs no extra server; `carehub db_worker` runs it. CAREHUB_TASKS_BACKEND=immediate runs tasks inline.
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
_tasks_backend = os.environ.get("CAREHUB_TASKS_BACKEND", "database")
if _tasks_backend not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"CAREHUB_TASKS_BACKEND must be one of {sorted(_TASK_BACKENDS)}")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_tasks_backend]}}
# E-mail: the console in the demo; SMTP in production through Django's EMAIL_* settings from the environment.
EMAIL_BACKEND = os.environ.get(
    "CAREHUB_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("CAREHUB_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("CAREHUB_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("CAREHUB_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = envsecret("CAREHUB_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = envbool("CAREHUB_EMAIL_TLS", PRODUCTION)
DEFAULT_FROM_EMAIL = os.environ.get("CAREHUB_EMAIL_FROM", "Care Hub <carehub@localhost>")
CAREHUB_BASE_URL = os.environ.get("CAREHUB_BASE_URL", "http://127.0.0.1:8000")
CAREHUB_NO_CONTACT_DAYS = envint("CAREHUB_NO_CONTACT_DAYS", 14)
# How many days before a MARAC meeting the case's caseworker (and its IDVA service) is told.
CAREHUB_MARAC_NOTICE_DAYS = envint("CAREHUB_MARAC_NOTICE_DAYS", 7)
