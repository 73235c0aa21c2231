"""Settings shared by every environment.

Everything that differs between deployments comes from the environment (django-environ):
DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS, EMAIL_URL, MEDIA_ROOT, PRIVATE_MEDIA_ROOT. The
defaults here make a bare checkout work (SQLite file under var/, console email); the
production module removes the defaults that must never reach a real school.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

from audit.keys import DEV_KEY as DEV_AUDIT_KEY

ROOT_DIR = Path(__file__).resolve().parents[3]
VAR_DIR = ROOT_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

INSTALLED_APPS = [
    # Our apps first, so their templates override Wagtail's (branding, dashboard).
    "accounts",
    "audit",
    "dashboard",
    "taxonomy",
    "forms.apps.ConcernFormsConfig",
    "records",
    "workflows",
    "api",
    "reports",
    "ops",
    "demo",
    "oversight",
    "django_tasks_db",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "wagtail_modeladmin",
    "modelcluster",
    "taggit",
    "viewflow.workflow",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "auditlog",
    "axes",
    "csp",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
]

MIDDLEWARE = [
    # First: the request id (chronicle.logs) is on every log line a request writes.
    "chronicle.logs.RequestIdMiddleware",
    # The client's address from a trusted proxy's X-Forwarded-For (chronicle.proxy),
    # before the audit log and django-axes read REMOTE_ADDR.
    "chronicle.proxy.ForwardedForMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Under /api/: NUL refused, unknown paths and every error as JSON problems.
    "api.middleware.ApiMiddleware",
    # Elsewhere: NUL and other control characters out of paths, queries and forms.
    "chronicle.middleware.ControlCharactersMiddleware",
    "accounts.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "audit.middleware.ServerSideAuditlogMiddleware",
    # A refused case URL (404/403) is logged, rate-limited (audit.refusals).
    "audit.middleware.RefusedAccessMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, so it sees the lockout flag the sign-in view's authenticate() set.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "chronicle.urls"
WSGI_APPLICATION = "chronicle.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [ROOT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

if "DATABASE_URL" not in env.ENVIRON:
    VAR_DIR.mkdir(exist_ok=True)  # the embedded default: an SQLite file under var/
DATABASES = {
    "default": env.db(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'chronicle.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue for the lock instead of failing with "database is locked" when
    # two requests write at once (runserver is threaded).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles a query when its estimated cost is high; on our
    # casework and report queries the compiling took longer than the query (1.83 s
    # of a 1.88 s child's-file query; a category-filtered report 22 s -> 5.3 s
    # without it), because the estimates over permission subqueries are large
    # while the rows read are few. Off for our connections (docs/performance.md).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# django-axes counts refused passwords first and refuses a locked-out sign-in before
# the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Argon2id (argon2-cffi), Django's recommended hasher: memory-hard (100 MiB per
# check at Django's defaults), so guessing on GPUs costs far more than with PBKDF2;
# its CPU per sign-in is about PBKDF2's (docs/performance.md). The others stay
# listed so existing hashes still check; Django re-hashes a password with Argon2
# the next time it is used to sign in.
_HASHERS = "django.contrib.auth.hashers"
PASSWORD_HASHERS = [
    f"{_HASHERS}.Argon2PasswordHasher",
    f"{_HASHERS}.PBKDF2PasswordHasher",
    f"{_HASHERS}.PBKDF2SHA1PasswordHasher",
    f"{_HASHERS}.ScryptPasswordHasher",
]
_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATORS}.UserAttributeSimilarityValidator"},
    {
        "NAME": f"{_VALIDATORS}.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": f"{_VALIDATORS}.CommonPasswordValidator"},
    {"NAME": f"{_VALIDATORS}.NumericPasswordValidator"},
]
LOGIN_URL = "wagtailadmin_login"
LOGIN_REDIRECT_URL = "wagtailadmin_home"

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", _("English"))]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(ROOT_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Case attachments never live under MEDIA_ROOT: they are served only through
# permission-checked, audited views.
PRIVATE_MEDIA_ROOT = env.path(
    "PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private-media")
)
# Several app servers must see the same files: PRIVATE_MEDIA_ROOT on a filesystem
# they share (NFS, a mounted volume), or, when PRIVATE_STORAGE_BUCKET is set, a
# bucket on S3-compatible object storage (django-storages). Either way the files stay
# private: the bucket is private, no URL is ever handed out, every download goes
# through the permission-checked, audited views, which read the file via the app.
PRIVATE_STORAGE_BUCKET = env("PRIVATE_STORAGE_BUCKET", default="")
if PRIVATE_STORAGE_BUCKET:
    _PRIVATE_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": PRIVATE_STORAGE_BUCKET,
            "endpoint_url": env("PRIVATE_STORAGE_ENDPOINT_URL", default="") or None,
            "region_name": env("PRIVATE_STORAGE_REGION", default="") or None,
            # Empty: boto3's own chain (instance role, AWS_* variables).
            "access_key": env("PRIVATE_STORAGE_ACCESS_KEY_ID", default="") or None,
            "secret_key": env("PRIVATE_STORAGE_SECRET_ACCESS_KEY", default="") or None,
            "location": env("PRIVATE_STORAGE_PREFIX", default="private"),
            "default_acl": "private",
            "querystring_auth": True,  # a URL, if ever made, would be signed
            "querystring_expire": 60,
            # As on the filesystem: a second file of the same name gets a new name
            # instead of replacing the first (S3Storage replaces by default).
            "file_overwrite": False,
        },
    }
else:
    _PRIVATE_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": _PRIVATE_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="chronicle@localhost")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Sessions (accounts.middleware.SessionTimeoutMiddleware): signed out after
# CHRONICLE_SESSION_IDLE_MINUTES without a request the person made themselves, and
# after CHRONICLE_SESSION_MAX_HOURS whatever they do. The cookie lasts no longer.
CHRONICLE_SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=15)
CHRONICLE_SESSION_MAX_HOURS = env.int("SESSION_MAX_HOURS", default=8)
SESSION_COOKIE_AGE = env.int(
    "SESSION_COOKIE_AGE", default=CHRONICLE_SESSION_MAX_HOURS * 60 * 60
)
# Shared staffroom computers: closing the browser ends the session.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Sessions live in the database, which every app server shares: a server going away
# (or Redis restarting) signs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# The cache counts what several app servers must count together (the API's rate
# limit, api.auth) and holds anything cached: Redis at REDIS_URL (e.g.
# redis://127.0.0.1:6379/0), shared by every server. Without it (make run: one
# process) an in-process cache; production refuses to start without REDIS_URL.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="chronicle"),
            # A Redis that hangs fails the request in seconds, not minutes.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): everything from our own origin, no inline
# script (one exception, for Wagtail's editing areas only: see
# accounts.middleware.ContentSecurityPolicyMiddleware). 'unsafe-inline' for styles:
# the Wagtail admin sets style attributes from its scripts and templates (sidebar
# width, icons, progress bars), which no nonce covers; an injected style can't run
# code. The QR code is inline SVG; images may be data: URIs (Wagtail's icons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}
CHRONICLE_CSP_INLINE_SCRIPT_PREFIXES = [
    "/admin/pages/",
    "/admin/snippets/",
    "/admin/users/",
    "/admin/groups/",
    "/admin/images/",
    "/admin/documents/",
    "/admin/reports/",
    "/admin/redirects/",
    "/admin/sites/",
    "/admin/collections/",
    "/admin/workflows/",
    "/admin/forms/",
]

# Wagtail: the admin is the DSL's workspace, branded Chronicle; nothing phones home.
WAGTAIL_SITE_NAME = "Chronicle"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no calls to outside services from the admin
# The email is changed on its own panel, with the password (accounts.account_settings).
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
WAGTAILADMIN_COMMENTS_ENABLED = False
# Draftail with each editable box named after its field's label (screen readers).
WAGTAILADMIN_RICH_TEXT_EDITORS = {
    "default": {"WIDGET": "chronicle.rich_text.LabelledDraftailRichTextArea"}
}
# No "Remember me": sessions end when the browser closes (accounts.forms).
WAGTAILADMIN_USER_LOGIN_FORM = "accounts.forms.LoginForm"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "odt", "txt"]
WAGTAILEMBEDS_FINDERS = []

# Attachments to records (records/uploads.py): sniffed type, size limit, count.
CHRONICLE_ATTACHMENT_MAX_BYTES = env.int(
    "ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024
)
CHRONICLE_ATTACHMENT_MAX_FILES = 5

# Malware scanning (records/scanning.py): every file is streamed to ClamAV's clamd
# before it is stored. CLAMAV_SOCKET (a UNIX socket) or CLAMAV_HOST and CLAMAV_PORT
# say where clamd listens. When clamd can't be reached, MALWARE_SCAN "required"
# refuses the file; "hold" stores it unserved until `manage.py scan_held_files` has
# checked it; "off" stores files unscanned, which only development allows
# (production refuses to start with it).
CHRONICLE_CLAMAV_SOCKET = env("CLAMAV_SOCKET", default="")
CHRONICLE_CLAMAV_HOST = env("CLAMAV_HOST", default="")
CHRONICLE_CLAMAV_PORT = env.int("CLAMAV_PORT", default=3310)
CHRONICLE_CLAMAV_TIMEOUT = env.float("CLAMAV_TIMEOUT", default=60.0)
CHRONICLE_MALWARE_SCAN = env("MALWARE_SCAN", default="required")

# Sign-in lockout (django-axes): after AXES_FAILURE_LIMIT refused passwords for one
# username from one address, that pair is refused for AXES_COOLOFF_TIME (each further
# try restarts the wait). Username *and* address: a stranger elsewhere cannot lock a
# colleague out, and a whole staffroom behind one school address is not locked out by
# one person's typos. The lockout page is accounts.views.locked_out; lockouts go to
# the audit log (accounts.signals).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_ENABLE_ADMIN = False  # no django.contrib.admin here
AXES_VERBOSE = False  # lockouts reach the audit log (accounts.signals) instead
# The address is REMOTE_ADDR, as in the audit log: a client can send any
# X-Forwarded-For. Behind a proxy, REMOTE_ADDR is the client's address taken from the
# X-Forwarded-For of the proxies named in TRUSTED_PROXIES (chronicle.proxy), e.g.
# 127.0.0.1 for nginx on the same machine; none by default.
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
CHRONICLE_TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
AXES_SENSITIVE_PARAMETERS = ["password"]
# Refused passwords are counted in the database, which every app server shares: a
# lockout on one server holds on all of them (the cache handler would lose them
# when Redis restarts).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"

# Two-factor (django-otp): every user, every login.
OTP_TOTP_ISSUER = "Chronicle"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
CHRONICLE_BACKUP_CODE_COUNT = 10
# Remembered devices (accounts.remembered): after password and code, staff may tick
# "remember this device"; sign-ins there then ask the password only, for this many
# days (0 turns the choice off). Holders of the excluded roles always give the code:
# DSLs, deputies and heads can open every child's file at their school.
CHRONICLE_REMEMBER_DEVICE_DAYS = env.int("REMEMBER_DEVICE_DAYS", default=30)
CHRONICLE_REMEMBER_DEVICE_EXCLUDED_ROLES = env.list(
    "REMEMBER_DEVICE_EXCLUDED_ROLES", default=["dsl", "deputy_dsl", "head"]
)

# Audit log (django-auditlog) with our hash-chained, append-only entry model.
AUDITLOG_LOGENTRY_MODEL = "audit.ChainedLogEntry"
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_MASK_CALLABLE = "audit.chain.mask_whole_value"
AUDITLOG_CID_HEADER = None  # never trust a client-sent correlation id
# The audit chain's HMAC key (audit.keys) and the retired keys still needed to verify
# older entries; production refuses to start with the public dev default.
AUDIT_HMAC_KEY = env("AUDIT_HMAC_KEY", default="") or DEV_AUDIT_KEY
AUDIT_HMAC_PREVIOUS_KEYS = env.list("AUDIT_HMAC_PREVIOUS_KEYS", default=[])
# Signed checkpoints of the chain, outside the database (manage.py audit_checkpoint):
# a folder the database's administrators cannot write; optionally mailed to the DPO.
AUDIT_CHECKPOINT_DIR = env.path(
    "AUDIT_CHECKPOINT_DIR", default=str(VAR_DIR / "audit-checkpoints")
)
AUDIT_CHECKPOINT_EMAIL = env.list("AUDIT_CHECKPOINT_EMAIL", default=[])
# verify_audit_chain fails without a checkpoint to compare with (on in production; a
# dev or CI database has none).
AUDIT_REQUIRE_CHECKPOINT = env.bool("AUDIT_REQUIRE_CHECKPOINT", default=False)
# Refused requests for case URLs are logged (audit.refusals), this many per user in
# each window of this many seconds, counted in the shared cache.
AUDIT_REFUSALS_PER_WINDOW = env.int("AUDIT_REFUSALS_PER_WINDOW", default=20)
AUDIT_REFUSAL_WINDOW_SECONDS = env.int("AUDIT_REFUSAL_WINDOW_SECONDS", default=3600)

# Background work (django-tasks): notification emails. Tasks are rows in the database
# (django-tasks-db), run by `manage.py db_worker`; a failed one is retried with backoff
# (ops.retries), then shown to the system administrator on *Background tasks*.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
CHRONICLE_TASK_ATTEMPTS = env.int("TASK_ATTEMPTS", default=6)
# The wait after the first failed attempt, tripled after each: 1, 3, 9, 27, 81 min.
CHRONICLE_TASK_RETRY_SECONDS = env.int("TASK_RETRY_SECONDS", default=60)
# A task still running after this long has lost its worker (ops.retries).
CHRONICLE_TASK_STALLED_MINUTES = 15
# Tasks that succeeded are deleted after this many days (ops.jobs.finished_tasks).
CHRONICLE_TASK_KEEP_DAYS = 30
# Concern drafts nobody has touched for this many days are deleted (ops.jobs).
CHRONICLE_DRAFT_DAYS = 30
EMAIL_TIMEOUT = 30  # seconds: a mail server that hangs must not hold the worker

# Demo data (synthetic) may be loaded only where a setting says so; never in production.
CHRONICLE_ALLOW_DEMO_DATA = False

# /health/ready reports queued tasks not picked up this many minutes after they were
# due (chronicle.health): the worker has stopped or cannot keep up.
CHRONICLE_HEALTH_QUEUE_LATE_MINUTES = env.int("HEALTH_QUEUE_LATE_MINUTES", default=10)

# Every line carries the request id and the user's id (chronicle.logs), never case
# content. LOG_FORMAT "json" (production's default) writes one JSON object a line to
# stdout for a log collector; "text" (development's) stays readable.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "chronicle.logs.RequestContextFilter"}},
    "formatters": {
        "text": {
            "format": "%(levelname)s %(name)s "
            "[%(request_id)s user=%(user_id)s] %(message)s"
        },
        # Tracebacks without exception messages, which carry user input
        # (chronicle.logs.exception_without_messages). Development's text keeps
        # them: synthetic data on the developer's own terminal, where the message
        # is what debugging needs; production's text drops them too.
        "json": {
            "()": "chronicle.logs.MessagelessJsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s %(user_id)s",
            "rename_fields": {"levelname": "level"},
            "timestamp": "time",  # ISO 8601, UTC
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request"],
            "formatter": env("LOG_FORMAT", default="text"),
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # Wagtail logs every page action and django-tasks every task at INFO.
    "loggers": {
        "wagtail": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        # One line per request (chronicle.logs): production's log collector wants
        # it; runserver prints its own.
        "chronicle.access": {"level": env("ACCESS_LOG_LEVEL", default="WARNING")},
    },
}
