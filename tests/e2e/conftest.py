"""Browser tests: Debian's chromium, driven by Playwright, against a real server.

The server is `manage.py runserver` with the development settings (what `make run`
serves), on a database of its own: a fresh SQLite file, or a fresh PostgreSQL database
beside the one in DATABASE_URL. Screenshots go to tests/e2e/screenshots/ (ignored).

Each module gets its own server and a pristine copy of the demo: the database is
migrated and the demo loaded once per session (a template), then copied for every
module (SQLite: the file; PostgreSQL: CREATE DATABASE ... TEMPLATE), so no module
sees what another one changed and only one pays for migrate + demo.
"""

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import environ
import pytest
from playwright.sync_api import expect, sync_playwright

from .accessibility import Accessibility

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
AXE = Path(__file__).resolve().parent / "node_modules/axe-core/axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# A page on a machine shared with other work can take more than the default 5 s.
expect.set_options(timeout=15_000)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Database:
    """A throwaway database for the server, of the same kind as the test run's: empty,
    or a copy of `template` (another _Database, no longer in use)."""

    def __init__(self, tmp_path, template=None, prefix="chronicle_e2e"):
        url = os.environ.get("DATABASE_URL", "")
        self.admin = None
        if url.startswith(("postgres://", "postgresql://")):
            import psycopg

            config = environ.Env.db_url_config(url)
            self.name = f"{prefix}_{uuid.uuid4().hex[:8]}"
            self.admin = psycopg.connect(
                host=config["HOST"] or None,
                port=config["PORT"] or None,
                user=config["USER"] or None,
                password=config["PASSWORD"] or None,
                dbname="postgres",
                autocommit=True,
            )
            copy = f' TEMPLATE "{template.name}"' if template else ""
            try:
                self.admin.execute(f'CREATE DATABASE "{self.name}"{copy}')
            except BaseException:
                self.admin.close()
                raise
            self.url = url.rsplit("/", 1)[0] + f"/{self.name}"
        else:
            self.path = tmp_path / "e2e.sqlite3"
            self.url = f"sqlite:///{self.path}"
            if template:
                # The backup API copies a consistent database, journal or not.
                source = sqlite3.connect(template.path)
                target = sqlite3.connect(self.path)
                try:
                    source.backup(target)
                finally:
                    target.close()
                    source.close()

    def drop(self):
        if self.admin is not None:
            try:
                self.admin.execute(
                    f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'
                )
            finally:
                self.admin.close()


class _Demo:
    """The session's template: a database migrated, with the demo loaded, and the
    demo's output (passwords and authenticator secrets) for the servers copied from
    it."""

    def __init__(self, tmp_path):
        self.database = _Database(tmp_path, prefix="chronicle_e2e_template")
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "chronicle.settings.dev",
            "DATABASE_URL": self.database.url,
            "MEDIA_ROOT": str(tmp_path / "media"),
            "PRIVATE_MEDIA_ROOT": str(tmp_path / "private-media"),
        }

    def build(self):
        _manage(self.env, "migrate", "--noinput")
        self.output = _manage(self.env, "demo")

    def drop(self):
        self.database.drop()


def _manage(env, *args):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        # Generous: on a machine shared with other work, migrate + demo has taken
        # over five minutes; a hung command still ends the run.
        timeout=900,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


class Server:
    def __init__(self, tmp_path, demo):
        self.demo = demo
        self.database = _Database(tmp_path, template=demo.database)
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "chronicle.settings.dev",
            "DATABASE_URL": self.database.url,
            "MEDIA_ROOT": str(tmp_path / "media"),
            "PRIVATE_MEDIA_ROOT": str(tmp_path / "private-media"),
            "WAGTAILADMIN_BASE_URL": self.base_url,
        }
        self.process = None

    def manage(self, *args):
        return _manage(self.env, *args)

    def start(self):
        # The demo's files (if it ever writes any) come with its database.
        for media in ("MEDIA_ROOT", "PRIVATE_MEDIA_ROOT"):
            if Path(self.demo.env[media]).is_dir():
                shutil.copytree(self.demo.env[media], self.env[media])
        self.demo_output = self.demo.output
        self.log = open(Path(self.env["MEDIA_ROOT"]).parent / "server.log", "w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "runserver",
                "--noreload",
                f"127.0.0.1:{self.port}",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                assert self.process.poll() is None, "the server exited on start"
                time.sleep(0.2)
        raise RuntimeError("the server did not start listening within 60 seconds")

    def stop(self):
        try:
            if self.process is not None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
                self.log.close()
        finally:
            self.database.drop()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """Migrate and load the demo once; every module's server gets a copy."""
    demo = _Demo(tmp_path_factory.mktemp("e2e-demo"))
    try:
        demo.build()
        yield demo
    finally:
        demo.drop()


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_template):
    server = Server(tmp_path_factory.mktemp("e2e"), demo_template)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def accessibility():
    """axe-core in every page the module's browser opens (accessibility.py)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} not found: run `make setup-test` (npm ci in tests/e2e).")
    return Accessibility(AXE.read_text())


@pytest.fixture(scope="module")
def browser(accessibility):
    if not shutil.which(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} not found: install Debian's chromium (apt-get install "
            "chromium); .ci/run does this."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        accessibility.watch(browser)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def no_serious_accessibility_violations(request):
    """Every browser test fails on a serious or critical axe-core violation in any
    page state it visited: each page load, each screenshot, and where each page was
    left at the end."""
    if "browser" not in request.fixturenames:
        yield
        return
    accessibility = request.getfixturevalue("accessibility")
    accessibility.start()
    yield
    problems = accessibility.finish()
    assert not problems, "axe-core: serious or critical violations\n" + problems


@pytest.fixture
def page(browser, server):
    context = browser.new_context(
        base_url=server.base_url, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(page, request):
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(name):
        path = SCREENSHOTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
