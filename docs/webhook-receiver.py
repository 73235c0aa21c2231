#!/usr/bin/env python3
"""An example receiver of Chronicle's webhooks, standard library only.

    CHRONICLE_WEBHOOK_SECRET=… python3 docs/webhook-receiver.py --port 8080

Each notice is a POST of JSON with the header

    Chronicle-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>

computed over the exact bytes of the body. `verify` below is all a receiver
needs: recompute, compare in constant time, refuse an old timestamp (a replayed
notice). Answer 2xx quickly; anything else (or no answer in 10 s) and Chronicle
sends the same notice again later. A notice says what happened, where and the
reference (e.g. "concern.raised" at a school, OAK-000123), never what the concern
says: sign in to Chronicle to read it. docs/api.md#webhooks has the details.
"""

import argparse
import hashlib
import hmac
import json
import os
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

TOLERANCE = 300  # seconds: an older timestamp is refused as a replay


class SignatureInvalid(ValueError):
    pass


def verify(secret, header, body, now=None):
    """The notice as a dict if `header` (the Chronicle-Signature value) signs
    `body` (bytes) with `secret`; else SignatureInvalid."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
        sent = parts["v1"]
    except (KeyError, ValueError):
        raise SignatureInvalid("malformed Chronicle-Signature header") from None
    if abs((now if now is not None else time.time()) - timestamp) > TOLERANCE:
        raise SignatureInvalid("timestamp too old: a replay?")
    signed = f"{timestamp}.".encode() + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, sent):
        raise SignatureInvalid("signature does not match")
    return json.loads(body)


def handler_for(secret, received):
    """A request handler that verifies each notice and appends it to `received`."""

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            try:
                notice = verify(
                    secret, self.headers.get("Chronicle-Signature", ""), body
                )
            except SignatureInvalid as refused:
                self.send_response(401)
                self.end_headers()
                self.wfile.write(str(refused).encode())
                return
            received.append(notice)
            self.send_response(204)
            self.end_headers()

        def log_message(self, format, *args):
            return

    return Receiver


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    secret = os.environ["CHRONICLE_WEBHOOK_SECRET"]
    received = []
    server = HTTPServer(("127.0.0.1", args.port), handler_for(secret, received))
    print(f"Listening on http://127.0.0.1:{args.port}/")  # noqa: T201
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
