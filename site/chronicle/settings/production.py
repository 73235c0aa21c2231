"""Production: every secret and host from the environment, or refuse to start.

Required: SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, EMAIL_URL (password-reset links must
never go to a console log). Optional: WAGTAILADMIN_BASE_URL, MEDIA_ROOT,
PRIVATE_MEDIA_ROOT, STATIC_ROOT, SECURE_HSTS_SECONDS, TRUST_X_FORWARDED_PROTO.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False


def _required(name, value):
    if not value:
        raise ImproperlyConfigured(
            f"{name} must be set in the environment for production."
        )
    return value


SECRET_KEY = _required("SECRET_KEY", env("SECRET_KEY", default=""))
ALLOWED_HOSTS = _required("ALLOWED_HOSTS", env.list("ALLOWED_HOSTS", default=[]))
DATABASES = {"default": env.db("DATABASE_URL")}
_required("EMAIL_URL", env("EMAIL_URL", default="").replace("consolemail://", ""))
vars().update(env.email_url("EMAIL_URL"))
WAGTAILADMIN_BASE_URL = env(
    "WAGTAILADMIN_BASE_URL", default=f"https://{ALLOWED_HOSTS[0]}"
)
CSRF_TRUSTED_ORIGINS = env.list(
    "CSRF_TRUSTED_ORIGINS", default=[f"https://{host}" for host in ALLOWED_HOSTS]
)

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
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
