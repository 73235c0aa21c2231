"""`make run`: start a clamd of Chronicle's own for development, or say plainly that
files are not scanned.

The development clamd listens on var/clamd/clamd.sock (where settings/dev.py looks)
and reads the machine's signatures when freshclam has fetched some, else the EICAR
test signature shipped in tests/clamav/ (nothing is downloaded). The malware tests
start theirs with the same configuration (write_config), in the foreground.
"""

import shutil
import subprocess
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from records import scanning

TEST_SIGNATURES = Path(settings.ROOT_DIR) / "tests" / "clamav"
SYSTEM_SIGNATURES = Path("/var/lib/clamav")
DEV_DIRECTORY = Path(settings.VAR_DIR) / "clamd"
SOCKET_NAME = "clamd.sock"


def clamd_binary() -> str | None:
    """Debian installs clamd in /usr/sbin, which is not on every user's PATH."""
    return shutil.which("clamd") or shutil.which("clamd", path="/usr/sbin:/sbin")


def write_config(directory: Path, *, database: Path, foreground: bool) -> Path:
    """A clamd.conf for a clamd that only this checkout uses: its own socket (readable
    by this user only), its own log, no network listener, no self-update."""
    directory.mkdir(parents=True, exist_ok=True)
    stream_limit = settings.CHRONICLE_ATTACHMENT_MAX_BYTES + 200 * 1024 * 1024
    lines = [
        f"LocalSocket {directory / SOCKET_NAME}",
        "LocalSocketMode 600",
        "FixStaleSocket yes",
        f"DatabaseDirectory {database}",
        f"TemporaryDirectory {directory}",
        f"LogFile {directory / 'clamd.log'}",
        f"PidFile {directory / 'clamd.pid'}",
        f"Foreground {'yes' if foreground else 'no'}",
        # A bundle's documents can reach 200 MB (records.transfer_format); larger
        # streams are refused by clamd, and Chronicle then refuses the file.
        f"StreamMaxLength {stream_limit // (1024 * 1024)}M",
        "MaxFileSize 250M",
        "MaxScanSize 400M",
        "SelfCheck 3600",
    ]
    config = directory / "clamd.conf"
    config.write_text("\n".join(lines) + "\n")
    return config


def _has_real_signatures() -> bool:
    return any(SYSTEM_SIGNATURES.glob("*.c[lv]d"))


class Command(BaseCommand):
    help = (
        "Start a clamd for development on var/clamd/clamd.sock (make run), or say "
        "that files are not scanned because clamav-daemon is not installed."
    )

    def handle(self, *args, **options):
        binary = clamd_binary()
        if binary is None:
            self.stdout.write(
                self.style.WARNING(
                    "Malware scanning is OFF: clamd is not installed (apt-get install "
                    "clamav-daemon), so files attached in this development server "
                    "are stored unscanned."
                )
            )
            return
        socket_path = DEV_DIRECTORY / SOCKET_NAME
        if socket_path.exists() and scanning.ping(str(socket_path)):
            self.stdout.write(f"Malware scanning: clamd already on {socket_path}.")
            return
        real = _has_real_signatures()
        database = SYSTEM_SIGNATURES if real else TEST_SIGNATURES
        config = write_config(DEV_DIRECTORY, database=database, foreground=False)
        socket_path.unlink(missing_ok=True)
        # Not in the foreground: clamd forks once its signatures are loaded and keeps
        # running after the server stops (its pid is in var/clamd/clamd.pid).
        command = [binary, f"--config-file={config}"]
        started = subprocess.run(command, check=False)  # noqa: S603 (fixed command)
        if started.returncode != 0:
            # `make run` goes on: development works without a scanner.
            socket_path.unlink(missing_ok=True)
            self.stderr.write(
                f"Malware scanning is OFF: clamd did not start; see "
                f"{DEV_DIRECTORY / 'clamd.log'}."
            )
            return
        for _ in range(300):
            if scanning.ping(str(socket_path)):
                break
            time.sleep(0.1)
        else:
            self.stderr.write(
                f"clamd did not answer on {socket_path}: files attached in this "
                f"development server are refused until it does; see {DEV_DIRECTORY}."
            )
            return
        kind = (
            "the signatures in /var/lib/clamav"
            if real
            else "ONLY the EICAR test signature (tests/clamav): real malware is not "
            "detected; run freshclam to fetch the signatures"
        )
        self.stdout.write(
            f"Malware scanning: clamd on {socket_path} with {kind}. "
            f"Stop it with: kill $(cat {DEV_DIRECTORY / 'clamd.pid'})"
        )
