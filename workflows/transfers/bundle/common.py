"""The bundle's fixed parts, shared by writing and reading: the format's name and
version, the archive's member names, the size limit, the passphrase words, the error
a DSL is shown, and a bundle as read."""

import hashlib
import re
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError

FORMAT = "chronicle-transfer"
# Version 2 (December 2026): a 100-bit passphrase, named documents with their
# extensions, a README, and the challenge a signed receipt answers. A reader of
# version 2 reads version 1 as well (the archive is laid out the same way).
VERSION = 2
READS = (1, 2)
MANIFEST = "manifest.json"
DATA = "transfer.json"
PDF = "file.pdf"
README = "README.txt"
DOCUMENTS = "documents/"
# A bundle larger than this is refused before it is read (a zip bomb, a wrong file).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024

# Passphrases: Crockford's base32 (no I, L, O or U: nothing to mistake when read
# out over the phone), 20 characters in five groups of four: 100 bits.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUPS, GROUP = 5, 4
PASSPHRASE_BITS = GROUPS * GROUP * 5


class BundleError(ValidationError):
    """A bundle that cannot be read or does not check out, with a message a DSL
    can act on."""


def new_passphrase():
    """`K7QM-P3XD-R9TW-4HJN-8BFZ`: 100 bits, sent separately from the link (a phone
    call), and only ever shown once. Typed into 7-Zip exactly as shown."""
    return "-".join(
        "".join(secrets.choice(ALPHABET) for _ in range(GROUP)) for _ in range(GROUPS)
    )


def passphrase_variants(typed):
    """What the archive may be locked with, given what the DSL typed: as typed
    (a version 1 bundle's words), and, for a version 2 passphrase typed in lower
    case, with spaces or without hyphens, or with O for 0 and I or L for 1, its
    canonical form."""
    typed = (typed or "").strip()
    variants = [typed]
    squashed = re.sub(r"[\s-]", "", typed.upper())
    squashed = squashed.translate(str.maketrans("OIL", "011"))
    if len(squashed) == GROUPS * GROUP and set(squashed) <= set(ALPHABET):
        canonical = "-".join(
            squashed[i : i + GROUP] for i in range(0, len(squashed), GROUP)
        )
        if canonical != typed:
            variants.append(canonical)
    return variants


def sha256(data):
    return hashlib.sha256(data).hexdigest()


@dataclass
class Bundle:
    data: dict
    manifest_hash: str
    files: dict  # path -> bytes (the PDF and the attachments)

    @property
    def entries(self):
        return self.data.get("chronology", [])

    @property
    def attachments(self):
        return self.data.get("attachments", [])
