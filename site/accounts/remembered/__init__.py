"""Remembered devices: after password and code, a member of staff may let this
browser skip the code (never the password) for CHRONICLE_REMEMBER_DEVICE_DAYS.

The device is a row (accounts.models.RememberedDevice) holding a hash of a random
token; the browser holds the token in a Secure, HttpOnly, SameSite=Strict cookie.
Nothing lives in process memory, so it survives restarts and works on every app
server. Policy: CHRONICLE_REMEMBER_DEVICE_DAYS (0 turns it off) and
CHRONICLE_REMEMBER_DEVICE_EXCLUDED_ROLES (by default DSLs, deputies and heads, who
can open every file: they give the code each time). docs/security.md says more.
"""
