"""The API's settings, with their defaults. Override any of them in the settings
module of a deployment (e.g. CHRONICLE_API_RATE = "300/min")."""

from django.conf import settings

DEFAULTS = {
    # Requests per token per period ("N/s", "N/min", "N/hour", "N/day").
    "CHRONICLE_API_RATE": "120/min",
    # Refused tokens per token prefix, and per client address, per period: past
    # it, 429 until the period ends (api.auth.FailedAuthentication).
    "CHRONICLE_API_FAILED_AUTH_RATE": "10/min",
    "CHRONICLE_API_TOKEN_DAYS": 90,
    "CHRONICLE_API_TOKEN_MAX_DAYS": 365,
    # How stale the recorded last-used time may be: one write a minute, not a call.
    "CHRONICLE_API_LAST_USED_RESOLUTION": 60,
    # Webhook endpoints must be https:// (dev and test settings allow http://).
    "CHRONICLE_WEBHOOK_HTTPS_ONLY": True,
}


def api_setting(name):
    return getattr(settings, name, DEFAULTS[name])
