"""Reading a bundle: open it with the passphrase and check every hash; whatever is
wrong is a BundleError that says what the receiving DSL can do about it."""

import io
import json
import struct
import zlib

import pyzipper
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .common import (
    DATA,
    FORMAT,
    MANIFEST,
    MAX_UNPACKED_BYTES,
    READS,
    VERSION,
    Bundle,
    BundleError,
    passphrase_variants,
    sha256,
)

# What a damaged archive can raise from inside the zip reader, AES or inflate: a
# flipped byte in a header, a compressed stream or a length, or a truncated file.
# Each means the same to the receiving DSL: ask for the file again.
DAMAGE = (
    pyzipper.BadZipFile,
    zlib.error,
    struct.error,
    EOFError,
    OSError,
    ValueError,
    LookupError,
    NotImplementedError,
    OverflowError,
    RuntimeError,
)

DAMAGED = _lazy(
    "This file is damaged or incomplete: ask the sending school to send it again."
)
NOT_A_BUNDLE = _lazy(
    "This file is not a Chronicle transfer bundle, or it is damaged: check you chose "
    "the file the sending school sent, or ask them to send it again."
)
WRONG_PASSPHRASE = _lazy(
    "The passphrase is not right for this file. Check it with the sending school "
    "(it was given separately from the link)."
)
CHANGED = _lazy(
    "This file is damaged or has been changed since it was sent: its contents do "
    "not match its manifest. Ask the sending school to send it again."
)


def read(content, passphrase):
    """Open and check a bundle; a BundleError says what is wrong, and nothing else
    escapes: whatever a damaged or truncated file makes the zip reader raise is
    reported as damage, never as a crash or as a wrong passphrase."""
    variants = passphrase_variants(passphrase)
    for variant in variants:
        try:
            return _read(content, variant.encode())
        except WrongPassphrase:
            if variant == variants[-1]:
                raise
        except BundleError:
            raise
        except DAMAGE as error:
            raise BundleError(DAMAGED) from error
    raise BundleError(WRONG_PASSPHRASE)  # pragma: no cover (variants is never empty)


class WrongPassphrase(BundleError):
    """No member opens with this passphrase (another form of it may)."""


def _read(content, passphrase):
    try:
        archive = pyzipper.AESZipFile(io.BytesIO(content))
    except DAMAGE as error:
        # A zip starts with a local file header; anything else was never one.
        looks_like_zip = content[:4] == b"PK\x03\x04"
        raise BundleError(DAMAGED if looks_like_zip else NOT_A_BUNDLE) from error
    with archive:
        archive.setpassword(passphrase)
        infos = {info.filename: info for info in archive.infolist()}
        if MANIFEST not in infos or DATA not in infos:
            raise BundleError(NOT_A_BUNDLE)
        if sum(info.file_size for info in infos.values()) > MAX_UNPACKED_BYTES:
            raise BundleError(
                _(
                    "This file says it unpacks to more than a bundle can hold: it is "
                    "damaged, or not a bundle. Ask the sending school to send it "
                    "again."
                )
            )
        manifest_bytes = _read_member(archive, MANIFEST)
        manifest = _json(manifest_bytes)
        _check_version(manifest)
        listed = _listed(manifest)
        if set(listed) != set(infos) - {MANIFEST}:
            raise BundleError(CHANGED)
        files = {}
        for path, digest in listed.items():
            member = _read_member(archive, path)
            if sha256(member) != digest:
                raise BundleError(CHANGED)
            files[path] = member
    data = _json(files.pop(DATA))
    _check_version(data)
    if not isinstance(data, dict) or not isinstance(data.get("pupil"), dict):
        raise BundleError(CHANGED)
    for attachment in data.get("attachments", []):
        if files.get(attachment.get("path")) is None or sha256(
            files[attachment["path"]]
        ) != attachment.get("sha256"):
            raise BundleError(
                _(
                    "An attachment (“%(name)s”) is missing or does not match its "
                    "hash. Ask the sending school to send the file again."
                )
                % {"name": attachment.get("name", "?")}
            )
    return Bundle(data=data, manifest_hash=sha256(manifest_bytes), files=files)


def _check_version(document):
    """The format and version, from the manifest (before anything else is read)
    and again from transfer.json. A newer version is named as such: the receiving
    school needs to update, not to ask for the file again."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BundleError(NOT_A_BUNDLE)
    version = document.get("version")
    if version in READS:
        return
    if isinstance(version, int) and version > VERSION:
        raise BundleError(
            _(
                "This file was made by a newer version of Chronicle (format "
                "%(version)s); this installation reads format %(ours)s. Ask your "
                "system administrator to update Chronicle, then import it again."
            )
            % {"version": version, "ours": VERSION}
        )
    raise BundleError(
        _(
            "This file's format (version %(version)s) is not one Chronicle reads: "
            "ask the sending school to send it again."
        )
        % {"version": str(version)[:20]}
    )


def _read_member(archive, path):
    try:
        return archive.read(path)
    except RuntimeError as error:
        # pyzipper says "bad password" whenever a member's key check fails, which
        # a flipped byte in that member's salt also causes. One passphrase locks
        # every member: if another member opens with it, the file is damaged.
        if _opens_another(archive, path):
            raise BundleError(DAMAGED) from error
        raise WrongPassphrase(WRONG_PASSPHRASE) from error


def _opens_another(archive, path):
    for info in archive.infolist():
        if info.filename == path:
            continue
        try:
            with archive.open(info):
                return True
        except DAMAGE:
            continue
    return False


def _json(content):
    try:
        return json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise BundleError(CHANGED) from error


def _listed(manifest):
    try:
        return {item["path"]: item["sha256"] for item in manifest["files"]}
    except (KeyError, TypeError) as error:
        raise BundleError(CHANGED) from error
