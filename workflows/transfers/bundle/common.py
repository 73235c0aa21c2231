"""The bundle's fixed parts, shared by writing and reading: the format's name and
version, the archive's member names, the size limit, the passphrase words, the error
a DSL is shown, and a bundle as read."""

import hashlib
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError

FORMAT = "chronicle-transfer"
VERSION = 1
MANIFEST = "manifest.json"
DATA = "transfer.json"
PDF = "file.pdf"
# A bundle larger than this is refused before it is read (a zip bomb, a wrong file).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024

# Words for passphrases: short, unambiguous when read out over the phone.
WORDS = (
    "amber anchor apple arrow aspen badge baker basil beacon birch bison blue "
    "bramble brook cabin cedar chalk cherry cinder clover cobalt comet copper coral "
    "cotton crane crystal dawn delta denim dune eagle ember fable falcon fern fiddle "
    "flint forest fox frost garnet ginger glade granite harbour hazel heron holly "
    "honey indigo iris ivory jasper juniper kestrel kettle lantern larch lemon lilac "
    "linen lotus maple marble meadow mint moss nectar nettle noble oak ocean olive "
    "onyx orchid otter pebble pepper pine plum poppy quartz quill raven reed river "
    "robin rowan saffron sage salmon sparrow spruce stone summit swift thistle tiger "
    "timber topaz tulip velvet violet walnut willow wren yarrow zephyr"
).split()


class BundleError(ValidationError):
    """A bundle that cannot be read or does not check out, with a message a DSL
    can act on."""


def new_passphrase(words=6):
    """Six words from a list of 128: about 42 bits, sent separately from the link
    (a phone call), and only ever shown once."""
    return "-".join(secrets.choice(WORDS) for _ in range(words))


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
