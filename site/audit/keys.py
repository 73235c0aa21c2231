"""The keys of the audit chain: HMAC-SHA256 keys from the environment, never the
database, so someone who can rewrite the audit table cannot recompute its hashes.

Pure Python (no Django): scripts/backup.py and scripts/restore.py sign and check
backup manifests with the same keyring the site uses.

- AUDIT_HMAC_KEY: the key new entries and checkpoints are signed with.
- AUDIT_HMAC_PREVIOUS_KEYS: comma-separated retired keys, kept to verify the entries
  written under them (rotation: docs/security.md).

A key is named on each entry by its id, a short fingerprint (SHA-256 of the key,
12 hex digits): the key itself never reaches the database, and a wrong or missing key
is reported by id rather than as a broken chain.
"""

import hashlib
import hmac
import os
from dataclasses import dataclass

# What dev and test run with: anyone can read it here, so it proves nothing, and
# production refuses to start with it (chronicle.settings.production).
DEV_KEY = "chronicle-dev-audit-key-NOT-FOR-PRODUCTION"
MIN_PRODUCTION_LENGTH = 32


def key_id(key: str) -> str:
    return hashlib.sha256(b"chronicle audit key id\n" + key.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Keyring:
    current: str
    previous: tuple[str, ...] = ()

    @property
    def current_id(self) -> str:
        return key_id(self.current)

    def ids_newest_first(self) -> list[str]:
        return [key_id(key) for key in (self.current, *self.previous)]

    def key_for(self, kid: str) -> bytes | None:
        for key in (self.current, *self.previous):
            if key_id(key) == kid:
                return key.encode()
        return None

    def rank(self, kid: str) -> int | None:
        """0 for the current key, 1 for the one before it, …; None if unknown."""
        ids = self.ids_newest_first()
        return ids.index(kid) if kid in ids else None

    def sign(self, message: bytes, kid: str | None = None) -> str:
        key = self.key_for(kid or self.current_id)
        if key is None:
            raise KeyError(kid)
        return hmac.new(key, message, hashlib.sha256).hexdigest()

    def check(self, message: bytes, *, kid: str, signature: str) -> bool:
        key = self.key_for(kid)
        if key is None:
            return False
        expected = hmac.new(key, message, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, signature or "")


def split_keys(value: str) -> tuple[str, ...]:
    return tuple(key.strip() for key in (value or "").split(",") if key.strip())


def from_environ(environ=None) -> Keyring:
    """The keyring as the site builds it from its settings, for code outside Django
    (the backup scripts). The dev default applies unless the environment says
    production, where the site itself would refuse to start without a key."""
    environ = os.environ if environ is None else environ
    current = environ.get("AUDIT_HMAC_KEY", "")
    if not current:
        if environ.get("DJANGO_SETTINGS_MODULE", "").endswith("production"):
            raise RuntimeError("AUDIT_HMAC_KEY must be set in the environment.")
        current = DEV_KEY
    return Keyring(current, split_keys(environ.get("AUDIT_HMAC_PREVIOUS_KEYS", "")))
