"""Local development: `make run`. Insecure defaults, never for real data."""

from .base import *  # noqa: F403
from .base import VAR_DIR, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="django-insecure-dev-only-not-for-real-data")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CHRONICLE_ALLOW_DEMO_DATA = True

# Malware scanning: `make run` starts a clamd of its own (manage.py start_clamd) when
# clamav-daemon is installed, listening on this socket. Without it, files attached in
# development are stored unscanned, and start_clamd says so as the server starts.
_DEV_CLAMD_SOCKET = VAR_DIR / "clamd" / "clamd.sock"
CHRONICLE_CLAMAV_SOCKET = env(
    "CLAMAV_SOCKET",
    default=str(_DEV_CLAMD_SOCKET) if _DEV_CLAMD_SOCKET.exists() else "",
)
CHRONICLE_MALWARE_SCAN = env(
    "MALWARE_SCAN",
    default="required"
    if CHRONICLE_CLAMAV_SOCKET or env("CLAMAV_HOST", default="")
    else "off",
)

# Webhook endpoints on this machine (http://127.0.0.1:…) may be registered.
CHRONICLE_WEBHOOK_HTTPS_ONLY = False
