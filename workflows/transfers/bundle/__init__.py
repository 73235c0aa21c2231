"""The transfer bundle: a child's file in an open, versioned format.

See docs/transfer-format.md for the format itself. It depends on records only (the
chronology's entries, the front sheet, the PDF): the transfer services build and read
it.

An AES-256 encrypted zip (WinZip AES: 7-Zip, bsdtar and most archive tools open it
with the 100-bit passphrase) holding:

- `transfer.json`: format, version, sender, pupil, flags, key people, the
  chronology (each entry as the sending school recorded it), decisions with their
  rationale, referrals with the agencies' outcomes and reasons, and the attachments
  listed with their SHA-256;
- `file.pdf`: the same file as a PDF, for a school without Chronicle;
- `documents/NN-name.ext`: the documents themselves, named;
- `README.txt`: what each file is, for a school opening the archive by hand;
- `manifest.json`: every other file of the archive with its SHA-256 and size.

The SHA-256 of `manifest.json` (the manifest hash) identifies the bundle: the
receiving school's receipt is stored with it. Reading a bundle checks every hash and
refuses a bundle with a file changed, added or missing.
"""

from .common import (
    DATA,
    DOCUMENTS,
    FORMAT,
    MANIFEST,
    MAX_UNPACKED_BYTES,
    PASSPHRASE_BITS,
    PDF,
    README,
    READS,
    VERSION,
    Bundle,
    BundleError,
    new_passphrase,
    passphrase_variants,
    sha256,
)
from .reading import CHANGED, DAMAGE, DAMAGED, NOT_A_BUNDLE, WRONG_PASSPHRASE, read
from .writing import BY_FIELD, build

__all__ = [
    "BY_FIELD",
    "CHANGED",
    "DAMAGE",
    "DAMAGED",
    "DATA",
    "DOCUMENTS",
    "FORMAT",
    "MANIFEST",
    "MAX_UNPACKED_BYTES",
    "NOT_A_BUNDLE",
    "PASSPHRASE_BITS",
    "PDF",
    "README",
    "READS",
    "VERSION",
    "WRONG_PASSPHRASE",
    "Bundle",
    "BundleError",
    "build",
    "new_passphrase",
    "passphrase_variants",
    "read",
    "sha256",
]
