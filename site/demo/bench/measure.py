"""Measuring one page: the test client in-process, signed in past two-factor as the
role the page is for; queries counted, server time the median of several runs
after one warm-up run (which also fills caches, as a second visit would)."""

import statistics
import time
from dataclasses import dataclass, field

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User


@dataclass
class Result:
    name: str
    role: str
    url: str
    status: int = 0
    queries: int = 0
    times: list = field(default_factory=list)
    cpu: list = field(default_factory=list)
    floor: float | None = None
    error: str = ""
    size: int = 0

    @property
    def median_ms(self):
        return statistics.median(self.times) * 1000 if self.times else None

    @property
    def cpu_ms(self):
        return statistics.median(self.cpu) * 1000 if self.cpu else None

    @property
    def ratio(self):
        if self.floor and self.median_ms is not None:
            return self.median_ms / self.floor
        return None


class Clients:
    """One signed-in, verified test client per username (made once)."""

    def __init__(self):
        self.clients = {}

    def __call__(self, username):
        if username not in self.clients:
            user = User.objects.get(username=username)
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None:
                device = TOTPDevice.objects.create(
                    user=user, name="Authenticator app", confirmed=True
                )
            client = Client()
            client.force_login(user)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
            self.clients[username] = client
        return self.clients[username]


def measure(clients, name, role, url, *, runs=5, headers=None, client=None):
    """GET the url `runs` times (after one warm-up); a failing page is reported,
    not fatal: the benchmark goes on to the next."""
    result = Result(name=name, role=role, url=url)
    client = client or clients(role)
    try:
        response, result.size = _get(client, url, headers)
        result.status = response.status_code
        for _n in range(runs):
            with CaptureQueriesContext(connection) as queries:
                cpu, started = time.process_time(), time.perf_counter()
                response, result.size = _get(client, url, headers)
                result.times.append(time.perf_counter() - started)
                result.cpu.append(time.process_time() - cpu)
            result.queries = len(queries)
            result.status = response.status_code
    except Exception as error:  # noqa: BLE001 (reported in the table)
        result.error = f"{type(error).__name__}: {str(error)[:120]}"
    if result.status >= 400 and not result.error:
        result.error = f"HTTP {result.status}"
    return result


def _get(client, url, headers):
    """The response and its size, read whole (an export as a download would be)."""
    response = client.get(url, headers=headers or {})
    if getattr(response, "streaming", False):
        return response, len(b"".join(response.streaming_content))
    return response, len(response.content)


def median_time(function, runs=5):
    """Median seconds of `function()` over runs, after one warm-up."""
    function()
    times = []
    for _n in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)
