"""The signature a receiver checks (docs/api.md#webhooks):

    Chronicle-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>

over the exact bytes of the body. A receiver recomputes it, compares in constant
time, and refuses a timestamp more than five minutes old (a replay)."""

import hashlib
import hmac

HEADER = "Chronicle-Signature"
TOLERANCE = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"
