"""Settings shared by every environment.

Everything that differs between deployments comes from the environment (django-environ):
DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS, EMAIL_URL, MEDIA_ROOT, PRIVATE_MEDIA_ROOT. The
defaults here make a bare checkout work (SQLite file under var/, console email); the
production module removes the defaults that must never reach a real school.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

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
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "audit.middleware.ServerSideAuditlogMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
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
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="chronicle@localhost")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
# Shared staffroom computers: closing the browser ends the session.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Wagtail: the admin is the DSL's workspace, branded Chronicle; nothing phones home.
WAGTAIL_SITE_NAME = "Chronicle"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no calls to outside services from the admin
WAGTAILADMIN_COMMENTS_ENABLED = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "odt", "txt"]
WAGTAILEMBEDS_FINDERS = []

# Attachments to records (records/uploads.py): sniffed type, size limit, count.
CHRONICLE_ATTACHMENT_MAX_BYTES = env.int(
    "ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024
)
CHRONICLE_ATTACHMENT_MAX_FILES = 5

# Two-factor (django-otp): every user, every login.
OTP_TOTP_ISSUER = "Chronicle"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
CHRONICLE_BACKUP_CODE_COUNT = 10

# Audit log (django-auditlog) with our hash-chained, append-only entry model.
AUDITLOG_LOGENTRY_MODEL = "audit.ChainedLogEntry"
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_MASK_CALLABLE = "audit.chain.mask_whole_value"
AUDITLOG_CID_HEADER = None  # never trust a client-sent correlation id

# Background work (django-tasks): notification emails and the workflow clock. Tasks
# run immediately by default; a deployment with a worker configures its backend here.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Demo data (synthetic) may be loaded only where a setting says so; never in production.
CHRONICLE_ALLOW_DEMO_DATA = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # Wagtail logs every page action and django-tasks every task at INFO.
    "loggers": {
        "wagtail": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}
