"""Malware scanning: every file is shown to ClamAV's clamd before it is stored.

A file someone attaches (a concern's photos, a file note's scan, a transfer's
documents, every document inside a received bundle) is streamed to clamd over its
socket with the INSTREAM command. An infected file is refused with a message the
person reads, and the attempt is audited (who, which file, which signature; never the
content). When clamd cannot be reached the file is refused too, or, with
MALWARE_SCAN=hold, stored but held (never served) until `manage.py scan_held_files`
has checked it: nothing is served unscanned unless MALWARE_SCAN is "off", which only
development allows.

The client is our own, not a library's: `clamd` (2014) and `pyclamd` (2017) are no
longer maintained, and the maintained fork `clamav-client` is GPL-2.0-only, which
cannot be combined with Chronicle's AGPL-3.0-or-later. INSTREAM is small and
documented (man clamd): "zINSTREAM\\0", chunks each prefixed by their length as four
bytes in network order, a zero-length chunk, then one reply line:
"stream: OK", "stream: <signature> FOUND" or "<reason> ERROR".
"""

import logging
import socket
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings

logger = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024


class ScanMode(StrEnum):
    """settings.CHRONICLE_MALWARE_SCAN."""

    REQUIRED = "required"  # scan every file; refuse it when clamd can't be reached
    HOLD = "hold"  # ...or store it held, unserved, until scan_held_files checks it
    OFF = "off"  # store files unscanned: development without clamd only


class Verdict(StrEnum):
    CLEAN = "clean"
    INFECTED = "infected"
    NOT_SCANNED = "not_scanned"  # scanning is off


@dataclass(frozen=True)
class ScanResult:
    verdict: Verdict
    signature: str = ""

    @property
    def infected(self) -> bool:
        return self.verdict == Verdict.INFECTED


class ScannerUnavailable(Exception):
    """clamd is not configured, not answering, or could not scan the file."""


def scanning_on() -> bool:
    return settings.CHRONICLE_MALWARE_SCAN != ScanMode.OFF


def where() -> str:
    """Where clamd is expected, for log lines and messages to administrators."""
    if settings.CHRONICLE_CLAMAV_SOCKET:
        return str(settings.CHRONICLE_CLAMAV_SOCKET)
    if settings.CHRONICLE_CLAMAV_HOST:
        return f"{settings.CHRONICLE_CLAMAV_HOST}:{settings.CHRONICLE_CLAMAV_PORT}"
    return ""


def _connect(socket_path: str = "") -> socket.socket:
    timeout = settings.CHRONICLE_CLAMAV_TIMEOUT
    socket_path = socket_path or settings.CHRONICLE_CLAMAV_SOCKET
    if socket_path:
        family, address = socket.AF_UNIX, str(socket_path)
    elif settings.CHRONICLE_CLAMAV_HOST:
        family = socket.AF_INET
        address = (settings.CHRONICLE_CLAMAV_HOST, settings.CHRONICLE_CLAMAV_PORT)
    else:
        raise ScannerUnavailable("no CLAMAV_SOCKET or CLAMAV_HOST is configured")
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(address)
    except OSError as error:
        sock.close()
        raise ScannerUnavailable(f"clamd at {address}: {error}") from error
    return sock


def _ask(chunks: Iterable[bytes]) -> str:
    """Stream the chunks to clamd and return its reply line."""
    with _connect() as sock:
        try:
            sock.sendall(b"zINSTREAM\0")
            for chunk in chunks:
                for start in range(0, len(chunk), CHUNK_BYTES):
                    part = chunk[start : start + CHUNK_BYTES]
                    sock.sendall(struct.pack("!L", len(part)) + part)
            sock.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                received = sock.recv(4096)
                if not received:
                    break
                reply += received
        except OSError as error:
            # clamd closes the socket on a stream over its StreamMaxLength.
            raise ScannerUnavailable(f"clamd at {where()}: {error}") from error
    return reply.rstrip(b"\0").decode("utf-8", "replace").strip()


def scan_chunks(chunks: Iterable[bytes]) -> ScanResult:
    """Scan a file's content; raises ScannerUnavailable when it could not be."""
    if not scanning_on():
        return ScanResult(Verdict.NOT_SCANNED)
    reply = _ask(chunks)
    if reply.endswith(" FOUND"):
        signature = reply.removeprefix("stream:").removesuffix(" FOUND").strip()
        return ScanResult(Verdict.INFECTED, signature=signature)
    if reply.endswith(" OK"):
        return ScanResult(Verdict.CLEAN)
    raise ScannerUnavailable(f"clamd at {where()} answered {reply!r}")


def scan_bytes(data: bytes) -> ScanResult:
    return scan_chunks([data])


def ping(socket_path: str = "") -> bool:
    """Whether clamd answers (the configured one, or the one on `socket_path`)."""
    try:
        with _connect(socket_path) as sock:
            sock.sendall(b"zPING\0")
            return sock.recv(16).rstrip(b"\0") == b"PONG"
    except (OSError, ScannerUnavailable):
        return False
