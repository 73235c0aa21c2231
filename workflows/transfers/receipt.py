"""Signed receipts: the receiving installation's proof, checkable by the sender
with no shared database and no network between them, that the bundle it sent
arrived and was opened.

A receipt is one line of text (a code to paste, or a .txt file to upload):

    CHRONICLE-RECEIPT-1.<payload>.<signature>

`payload` is base64url JSON: the sender's transfer reference, the manifest hash
of what arrived, when and by whom it was received, the receiving installation's
Ed25519 public key and a `proof`; `signature` is base64url Ed25519 over the
payload's bytes, by that key.

What stops a forged receipt (docs/security.md, docs/transfer-format.md):

- `proof` is HMAC-SHA256, keyed with the random 256-bit challenge the sender put
  inside the encrypted bundle, over the reference, the manifest hash and the
  receiver's public key. Only someone who opened the bundle (with the 100-bit
  passphrase) knows the challenge: a receipt made without opening it, or for
  another transfer, or for an earlier bundle of the same transfer (a resend
  makes a new challenge and a new manifest hash), does not verify.
- The signature covers every field: a receipt changed after it was signed
  (another date, another name, another key) does not verify.
- The public key is bound into the proof, so a receipt can't be re-signed with
  another key without the challenge. The sender keeps the key, and shows its
  fingerprint, which the receiving DSL can read out to confirm which
  installation signed.

This does not prove *who* at the receiving school opened it beyond what that
installation says; that is what the named DSL in the receipt is for.
"""

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import date

from Cryptodome.PublicKey import ECC
from Cryptodome.Signature import eddsa
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _lazy

from records.models import InstallationKey

PREFIX = "CHRONICLE-RECEIPT-1"
FORMAT = "chronicle-receipt"
MAX_CODE = 4000

NOT_A_RECEIPT = _lazy(
    "This is not a Chronicle signed receipt: paste the whole code the receiving "
    "school sent (it starts with CHRONICLE-RECEIPT-1), or upload their .txt file."
)
NOT_AUTHENTIC = _lazy(
    "This receipt's signature does not check out: it has been changed since it "
    "was signed. Ask the receiving school to send it again."
)
WRONG_TRANSFER = _lazy(
    "This receipt is for another transfer (%(reference)s), not this one."
)
WRONG_BUNDLE = _lazy(
    "This receipt is for another copy of the file than the one sent last (its "
    "manifest hash differs): the receiving school imported an earlier bundle. "
    "Ask them to import the one sent last, or record their receipt by hand."
)
WRONG_PROOF = _lazy(
    "This receipt was not made by a Chronicle that opened this bundle: its proof "
    "does not match. Do not treat the file as received; ask the receiving "
    "school's DSL."
)


def new_challenge() -> str:
    """256 random bits, hex: goes inside the bundle, kept by the sender."""
    return secrets.token_hex(32)


@dataclass(frozen=True)
class Receipt:
    reference: str
    manifest_hash: str
    received_on: date
    received_by: str
    role: str
    school: str
    key: str  # the signer's public key, base64

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.key)


def fingerprint(key: str) -> str:
    """A public key's SHA-256, first 16 hex digits in groups of four: short
    enough to read out over the phone."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:16].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _proof(challenge: str, reference: str, manifest_hash: str, key: str) -> str:
    message = f"{FORMAT}|{reference}|{manifest_hash}|{key}".encode()
    return hmac.new(bytes.fromhex(challenge), message, hashlib.sha256).hexdigest()


def installation_key() -> InstallationKey:
    """This installation's key pair, made the first time it is needed."""
    found = InstallationKey.objects.filter(pk=1).first()
    if found is not None:
        return found
    key = ECC.generate(curve="Ed25519")
    made = InstallationKey(
        pk=1,
        private_seed=key.seed.hex(),
        public_key=base64.b64encode(key.public_key().export_key(format="raw")).decode(),
    )
    try:
        with transaction.atomic():
            made.save(force_insert=True)
    except IntegrityError:  # made at the same moment by another request
        return InstallationKey.objects.get(pk=1)
    return made


def sign(
    *,
    challenge: str,
    reference: str,
    manifest_hash: str,
    received_on: date,
    received_by: str,
    role: str,
    school: str,
) -> str:
    """The receipt code for a bundle that arrived here."""
    stored = installation_key()
    payload = json.dumps(
        {
            "format": FORMAT,
            "version": 1,
            "transfer": reference,
            "manifest_sha256": manifest_hash,
            "received_on": received_on.isoformat(),
            "received_by": received_by,
            "role": role,
            "school": school,
            "key": stored.public_key,
            "proof": _proof(challenge, reference, manifest_hash, stored.public_key),
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()
    private = ECC.construct(curve="Ed25519", seed=bytes.fromhex(stored.private_seed))
    signature = eddsa.new(private, "rfc8032").sign(payload)
    return f"{PREFIX}.{_b64(payload)}.{_b64(signature)}"


def verify(code: str, *, reference: str, manifest_hash: str, challenge: str) -> Receipt:
    """Check a pasted or uploaded receipt against the transfer it should answer;
    a ValidationError says what is wrong."""
    payload, fields = _parse(code)
    try:
        public = eddsa.import_public_key(base64.b64decode(fields["key"]))
        signature = _unb64(code.strip().split(".")[2])
        eddsa.new(public, "rfc8032").verify(payload, signature)
    except (ValueError, TypeError, binascii.Error) as error:
        raise ValidationError(NOT_AUTHENTIC) from error
    if fields["transfer"] != reference:
        raise ValidationError(WRONG_TRANSFER % {"reference": fields["transfer"]})
    if fields["manifest_sha256"] != manifest_hash:
        raise ValidationError(WRONG_BUNDLE)
    if not challenge:
        raise ValidationError(WRONG_PROOF)
    expected = _proof(challenge, reference, manifest_hash, fields["key"])
    if not hmac.compare_digest(expected, fields["proof"]):
        raise ValidationError(WRONG_PROOF)
    received_on = parse_date(fields["received_on"])
    if received_on is None:
        raise ValidationError(NOT_A_RECEIPT)
    return Receipt(
        reference=reference,
        manifest_hash=fields["manifest_sha256"],
        received_on=received_on,
        received_by=fields["received_by"][:200],
        role=fields["role"][:200],
        school=fields["school"][:200],
        key=fields["key"],
    )


def _parse(code: str) -> tuple[bytes, dict[str, str]]:
    parts = (code or "").strip()[:MAX_CODE].split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise ValidationError(NOT_A_RECEIPT)
    try:
        payload = _unb64(parts[1])
        fields = json.loads(payload.decode())
    except (ValueError, UnicodeDecodeError, binascii.Error) as error:
        raise ValidationError(NOT_A_RECEIPT) from error
    names = (
        "transfer",
        "manifest_sha256",
        "received_on",
        "received_by",
        "role",
        "school",
        "key",
        "proof",
    )
    if (
        not isinstance(fields, dict)
        or fields.get("format") != FORMAT
        or not all(isinstance(fields.get(name), str) for name in names)
    ):
        raise ValidationError(NOT_A_RECEIPT)
    return payload, fields


def text_of(upload: object) -> str:
    """A receipt uploaded as a file: its text, if it is short enough to be one."""
    read = getattr(upload, "read", None)
    if read is None:
        return ""
    content = read(MAX_CODE + 1)
    if len(content) > MAX_CODE:
        raise ValidationError(NOT_A_RECEIPT)
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValidationError(NOT_A_RECEIPT) from error


__all__ = [
    "PREFIX",
    "Receipt",
    "fingerprint",
    "installation_key",
    "new_challenge",
    "sign",
    "text_of",
    "verify",
]
