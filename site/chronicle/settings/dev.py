"""Local development: `make run`. Insecure defaults, never for real data."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="django-insecure-dev-only-not-for-real-data")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CHRONICLE_ALLOW_DEMO_DATA = True
