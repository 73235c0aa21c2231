"""Production: every secret and host from the environment, or refuse to start.

Required: SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, EMAIL_URL (password-reset links must
never go to a console log), AUDIT_HMAC_KEY (the audit chain's key). Optional:
WAGTAILADMIN_BASE_URL, MEDIA_ROOT, PRIVATE_MEDIA_ROOT, STATIC_ROOT, SECURE_HSTS_SECONDS,
TRUST_X_FORWARDED_PROTO.
Required for several servers sharing state: REDIS_URL (the shared cache). Optional:
PRIVATE_STORAGE_* (S3-compatible private files), SENTRY_DSN, LOG_FORMAT. The full
list is in docs/deployment.md.
"""

from django.core.exceptions import ImproperlyConfigured

from audit.keys import DEV_KEY as DEV_AUDIT_KEY
from audit.keys import MIN_PRODUCTION_LENGTH as MIN_AUDIT_KEY_LENGTH

from .base import *  # noqa: F403
from .base import LOGGING, env

DEBUG = False

# A file is never served unscanned in production: without clamd, uploads are refused
# ("required") or kept unserved until scan_held_files has checked them ("hold").
if env("MALWARE_SCAN", default="required") not in ("required", "hold"):
    raise ImproperlyConfigured(
        "MALWARE_SCAN must be 'required' or 'hold' in production: files are never "
        "served unscanned. Set CLAMAV_SOCKET or CLAMAV_HOST to where clamd listens."
    )


def _required(name, value):
    if not value:
        raise ImproperlyConfigured(
            f"{name} must be set in the environment for production."
        )
    return value


SECRET_KEY = _required("SECRET_KEY", env("SECRET_KEY", default=""))
# Sessions, password-reset links and transfer tokens are signed with it: a short or
# repetitive key can be guessed. The same bar as Django's own deploy check (W009).
if (
    len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
    or SECRET_KEY.startswith("django-insecure-")
):
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak for production: use at least 50 random characters "
        "(at least 5 different ones), for example from "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
    )
ALLOWED_HOSTS = _required("ALLOWED_HOSTS", env.list("ALLOWED_HOSTS", default=[]))
DATABASES = {"default": env.db("DATABASE_URL")}
# Keep a connection open between requests (each new one costs a TCP and auth
# round trip, and a fork on the server), checked before reuse so a restarted
# database or a dropped connection is not an error page. CONN_MAX_AGE=0 returns to
# a connection per request (e.g. behind PgBouncer in transaction mode).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=300)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options",
        "-c jit=off",  # as in base: see docs/performance.md
    )
# The audit chain's key (audit.keys): never the public dev default, long enough to
# resist guessing. Without it anyone with database rights could re-hash the log.
AUDIT_HMAC_KEY = _required("AUDIT_HMAC_KEY", env("AUDIT_HMAC_KEY", default=""))
if AUDIT_HMAC_KEY == DEV_AUDIT_KEY or len(AUDIT_HMAC_KEY) < MIN_AUDIT_KEY_LENGTH:
    raise ImproperlyConfigured(
        f"AUDIT_HMAC_KEY must be a random secret of at least {MIN_AUDIT_KEY_LENGTH} "
        "characters (python -c 'import secrets; print(secrets.token_urlsafe(48))')."
    )
# verify_audit_chain fails with no signed checkpoint to compare with: without one, a
# log emptied or rewritten without the key cannot be told from a new one.
AUDIT_REQUIRE_CHECKPOINT = env.bool("AUDIT_REQUIRE_CHECKPOINT", default=True)
_required("EMAIL_URL", env("EMAIL_URL", default="").replace("consolemail://", ""))
vars().update(env.email_url("EMAIL_URL"))
WAGTAILADMIN_BASE_URL = env(
    "WAGTAILADMIN_BASE_URL", default=f"https://{ALLOWED_HOSTS[0]}"
)
CSRF_TRUSTED_ORIGINS = env.list(
    "CSRF_TRUSTED_ORIGINS", default=[f"https://{host}" for host in ALLOWED_HOSTS]
)

# The API's rate limit (and anything cached) is counted in one place for all app
# servers and processes: Redis. Without it each gunicorn worker would count on its
# own, four workers allowing four times the limit. One server needs it too (apt
# install redis-server; REDIS_URL=redis://127.0.0.1:6379/0).
if not env("REDIS_URL", default=""):
    raise ImproperlyConfigured(
        "REDIS_URL must be set in the environment for production: the cache that "
        "every app server and worker shares (e.g. redis://127.0.0.1:6379/0)."
    )

# JSON lines on stdout for the log collector (journald, Docker), with the request
# id and user id (chronicle.logs); one line per request.
LOGGING["handlers"]["console"]["formatter"] = env("LOG_FORMAT", default="json")
# Exception messages carry user input (a database DETAIL line, a form's value):
# tracebacks name types and frames only, in either format (chronicle.logs).
LOGGING["formatters"]["text"]["()"] = "chronicle.logs.MessagelessTextFormatter"
LOGGING["handlers"]["console"]["stream"] = "ext://sys.stdout"
LOGGING["loggers"]["chronicle.access"]["level"] = env(
    "ACCESS_LOG_LEVEL", default="INFO"
)

# Error reports to a Sentry-compatible service only when SENTRY_DSN is set, scrubbed
# of case content (chronicle.sentry).
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    from chronicle.sentry import init_sentry

    init_sentry(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        release=env("SENTRY_RELEASE", default="") or None,
    )

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# The load balancer's health checks reach the app server over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health/"]
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto itself (and strips any
# value a client sent). Switch off when Django is reached directly.
if env.bool("TRUST_X_FORWARDED_PROTO", default=True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"

# Webhooks carry no case content, but only ever over TLS.
CHRONICLE_WEBHOOK_HTTPS_ONLY = True
