"""Settings shared by every environment. Environment variables: see `.env.example`."""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

from config.env import BASE_DIR, env

VAR_DIR = Path(env("VILLES2_VAR_DIR", default=str(BASE_DIR / "var")))

SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
# Key of the hashes that keep erased persons from being re-imported; SECRET_KEY if empty.
ERASURE_HASH_KEY = env("ERASURE_HASH_KEY", default="")
# Directory contacts are erased this many years after the last contact (CNIL: 3).
PERSON_RETENTION_YEARS = env.int("PERSON_RETENTION_YEARS", default=3)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.forms",
    "django_filters",
    "simple_history",
    # Before villes2.accounts, whose admin replaces theirs (docs/accounts.md).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "villes2.core",
    "villes2.accounts",
    "villes2.territories",
    "villes2.actors",
    "villes2.taxonomy",
    "villes2.documents",
    "villes2.events",
    "villes2.practices",
    "villes2.observation",
    "villes2.inquiries",
    "villes2.reports",
    "villes2.search",
    "villes2.api",
    "django_tasks",
    "django_tasks_db",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The second factor (docs/accounts.md): which device verified this session, then
    # staff who have not given their code are sent to give it.
    "django_otp.middleware.OTPMiddleware",
    "villes2.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "villes2.core.middleware.DatabaseUnavailableMiddleware",
    "villes2.accounts.middleware.ForbiddenLogMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
# Widgets' templates (the territory picker) live in the project's template directory.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "villes2" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "villes2.core.context_processors.site",
            ],
        },
    },
]


def database_settings(url: str | None) -> dict:
    """One database: PostgreSQL from `DATABASE_URL`, else the embedded SQLite file.

    SQLite is made durable (docs/decisions/0001-database-settings.md): WAL journal,
    `synchronous=FULL` so a commit the user saw survives a power cut, IMMEDIATE
    transactions so writers queue on the busy timeout instead of failing mid-transaction.
    """
    if url:
        db = environ.Env.db_url_config(url)
        if db["ENGINE"] == "django.db.backends.postgresql":
            db["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
            db["CONN_HEALTH_CHECKS"] = True
        return db
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # var/ is not in git: a fresh clone lacks it
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": VAR_DIR / "villes2.sqlite3",
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            # secure_delete: erased persons (GDPR) are overwritten in the file, not left
            # readable in its free pages.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
                "PRAGMA secure_delete=ON;"
            ),
        },
    }


DATABASES = {"default": database_settings(env("DATABASE_URL", default=None))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Proxies whose X-Forwarded-For tells the client's address (`core.throttle.client_address`):
# by default the loopback, a reverse proxy on the same machine.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=["127.0.0.1", "::1"])
# django-axes first: it refuses a locked-out (user name, address) pair before any password
# is checked (docs/accounts.md, "Signing in").
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling: five failures for one user name from one address lock that pair for
# fifteen minutes; the same user from elsewhere, and other users from that address, still
# sign in (one attacker cannot lock everyone out). A success clears the failures.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "villes2.core.throttle.client_address"
# An attempt refused during a lock neither counts nor extends it: the lock ends fifteen
# minutes after the failure that set it, whatever comes in between.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]
AXES_LOCKOUT_CALLABLE = "villes2.accounts.views.lockout"
# No table of successful logins (personal data without a purpose here): security events go
# to the `villes2.security` log, one line each (villes2/accounts/security.py).
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
LOGIN_URL = "admin:login"
# The second factor of staff accounts (TOTP, docs/accounts.md): the name authenticator
# apps show beside the account, and the back-off after a wrong code (1 s, 2 s, 4 s…).
OTP_TOTP_ISSUER = env("OTP_ISSUER", default="Villes²")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# How many backup codes an account gets (each works once).
SECOND_FACTOR_BACKUP_CODES = 10
# Another app or new backup codes need a code given within this many minutes.
SECOND_FACTOR_CONFIRMATION_MINUTES = 10
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "villes2" / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "villes2" / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Villes² <contact@villes2.invalid>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # django-axes says each failure in its own words: `villes2.security` has one line each
    # (docs/accounts.md); axes' errors still show.
    "loggers": {"axes": {"level": "ERROR"}},
}

# --- Villes² ---------------------------------------------------------------------------
# The centre's area: the pre-2016 regions it serves (INSEE codes): Centre and Poitou-Charentes.
VILLES2_FORMER_REGIONS = ("24", "54")
# Map background tiles. Empty: maps draw the boundaries only and make no outside request.
# Set a URL template such as "https://tiles.example.org/{z}/{x}/{y}.png" to add a background.
VILLES2_MAP_TILE_URL = env("MAP_TILE_URL", default="")
VILLES2_MAP_TILE_ATTRIBUTION = env("MAP_TILE_ATTRIBUTION", default="")
# Largest CSV or XLSX file the directory import accepts, in bytes (checked before parsing).
DIRECTORY_IMPORT_MAX_BYTES = env.int("DIRECTORY_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)

# Content Security Policy, the second layer against injected content (RELIABILITY.md):
# scripts, styles, data and images from this site only (plus the tile server, if any).
# Styles allow inline attributes: Leaflet and the admin set element styles.
_TILE_ORIGIN = urlsplit(VILLES2_MAP_TILE_URL.replace("{s}", "a"))
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"]
        + ([f"{_TILE_ORIGIN.scheme}://{_TILE_ORIGIN.netloc}"] if _TILE_ORIGIN.netloc else []),
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
# Legal notice (mentions légales) of whoever runs this instance. The defaults are what the
# founding note says of the association; an operator sets the rest (empty lines are hidden).
VILLES2_LEGAL = {
    "publisher": env("LEGAL_PUBLISHER", default="Association Villes²"),
    "address": env("LEGAL_ADDRESS", default="Tours"),
    "director": env("LEGAL_PUBLICATION_DIRECTOR", default=""),
    "host": env("LEGAL_HOST", default=""),
    "contact_email": env("CONTACT_EMAIL", default=""),
}

# Background work (ARCHITECTURE.md §3): django-tasks. The embedded default runs a task
# right after the request's transaction commits; production stores tasks in the database
# and `manage.py db_worker` runs them (docs/documents.md).
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", default="django_tasks.backends.immediate.ImmediateBackend")
    }
}

# The documentation centre (docs/documents.md).
DOCUMENT_ATTACHMENT_MAX_BYTES = env.int("DOCUMENT_ATTACHMENT_MAX_BYTES", default=30 * 1024 * 1024)
DOCUMENT_IMPORT_MAX_BYTES = env.int("DOCUMENT_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
# OAI-PMH: the repository identifier (a domain name the centre controls) and page size.
OAI_REPOSITORY_IDENTIFIER = env("OAI_REPOSITORY_IDENTIFIER", default="villes2.example.org")
OAI_REPOSITORY_NAME = env("OAI_REPOSITORY_NAME", default="Villes² — centre de ressources")
OAI_PAGE_SIZE = env.int("OAI_PAGE_SIZE", default=100)

# The shared thesaurus (docs/taxonomy.md): concept and scheme URIs are minted under this
# base (<base><scheme>/<concept>); keep it stable once URIs are published.
THESAURUS_BASE_URI = env("THESAURUS_BASE_URI", default="https://villes2.example.org/thesaurus/")
# Largest SKOS file (Turtle or RDF/XML) accepted by the thesaurus import, in bytes (5 MB).
THESAURUS_IMPORT_MAX_BYTES = env.int("THESAURUS_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
# Observation: largest file of indicator values accepted by the staff upload page (the
# command line takes --max-size). 20 MB is about 500,000 lines of the collection template.
OBSERVATION_IMPORT_MAX_BYTES = env.int("OBSERVATION_IMPORT_MAX_BYTES", default=20 * 1024 * 1024)

# The inter-network programme (docs/events.md).
# Clash detection: events with a common theme and a common audience closer than this
# many days are reported on the coordination page (and when saving an event).
EVENTS_CLASH_WINDOW_DAYS = env.int("EVENTS_CLASH_WINDOW_DAYS", default=14)
# The public address of the site, for links in mails sent outside a request (a place
# freed on the waiting list by an erasure or a purge).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# Registrations' personal data are emptied this many months after the event (GDPR).
EVENTS_REGISTRATION_RETENTION_MONTHS = env.int("EVENTS_REGISTRATION_RETENTION_MONTHS", default=12)

# The information and support desk (docs/inquiries.md).
# Target response time, in working days (French public holidays excluded).
INQUIRIES_RESPONSE_WORKING_DAYS = env.int("INQUIRIES_RESPONSE_WORKING_DAYS", default=5)
# A requester's tracking link expires this many days after it was sent (each mail sends a
# new one).
INQUIRIES_TRACKING_DAYS = env.int("INQUIRIES_TRACKING_DAYS", default=180)
# Answered requests are closed this many days after the answer, and their personal data
# emptied this many days after closure (2 years).
INQUIRIES_AUTO_CLOSE_DAYS = env.int("INQUIRIES_AUTO_CLOSE_DAYS", default=30)
# Open requests with no log entry for this many days are closed as abandoned.
INQUIRIES_STALE_DAYS = env.int("INQUIRIES_STALE_DAYS", default=180)
INQUIRIES_RETENTION_DAYS = env.int("INQUIRIES_RETENTION_DAYS", default=730)
