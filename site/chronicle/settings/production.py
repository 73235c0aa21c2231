"""Production: every secret and host from the environment, or refuse to start.

Required: SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL. Optional: EMAIL_URL (SMTP),
MEDIA_ROOT, PRIVATE_MEDIA_ROOT, STATIC_ROOT, SECURE_HSTS_SECONDS.
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
CSRF_TRUSTED_ORIGINS = env.list(
    "CSRF_TRUSTED_ORIGINS", default=[f"https://{host}" for host in ALLOWED_HOSTS]
)

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
