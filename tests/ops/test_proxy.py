"""Behind the TLS proxy: the client's address, not the proxy's, is the one the
sign-in lockout and the audit log use, and only a trusted proxy is believed."""

import pytest
from django.test import Client
from django.urls import reverse

from chronicle.proxy import client_address

from ..factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("wagtailadmin_login")
PROXY = "127.0.0.1"  # nginx on the same machine


def sign_in(client, user, password, *, remote_addr, forwarded_for=None):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post(
        LOGIN,
        {"username": user.username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=remote_addr,
        headers=headers,
    )


def test_a_stranger_behind_the_proxy_does_not_lock_out_a_colleague(
    client, staff, settings
):
    """Every request comes from the proxy: without its X-Forwarded-For, a stranger's
    five guesses would pause sign-in for this user at every school."""
    settings.CHRONICLE_TRUSTED_PROXIES = [PROXY]
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, staff, "wrong", remote_addr=PROXY, forwarded_for="203.0.113.9")
    assert (
        sign_in(
            client, staff, "wrong", remote_addr=PROXY, forwarded_for="203.0.113.9"
        ).status_code
        == 429
    )

    colleague = sign_in(
        Client(), staff, PASSWORD, remote_addr=PROXY, forwarded_for="10.0.0.2"
    )

    assert colleague.status_code == 302


def test_a_client_cannot_pick_its_address_by_sending_the_header(
    client, staff, settings
):
    """A request that does not come from a trusted proxy is taken at its own
    address, whatever X-Forwarded-For it sends: a stranger cannot spend a
    colleague's address on guesses."""
    settings.CHRONICLE_TRUSTED_PROXIES = [PROXY]
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(
            client,
            staff,
            "wrong",
            remote_addr="198.51.100.7",
            forwarded_for="10.0.0.2",
        )

    colleague = sign_in(Client(), staff, PASSWORD, remote_addr="10.0.0.2")

    assert colleague.status_code == 302


@pytest.mark.parametrize(
    ("remote_addr", "forwarded_for", "trusted", "expected"),
    [
        # No proxy is trusted (the default): nothing changes.
        ("127.0.0.1", "203.0.113.9", (), "127.0.0.1"),
        # nginx on the same machine.
        ("127.0.0.1", "203.0.113.9", ("127.0.0.1",), "203.0.113.9"),
        # A client's own header comes first; the proxy appends what it saw.
        ("127.0.0.1", "10.9.9.9, 203.0.113.9", ("127.0.0.1",), "203.0.113.9"),
        # Two proxies (a load balancer, then nginx), both trusted by network.
        ("10.0.0.3", "203.0.113.9, 10.0.0.4", ("10.0.0.0/24",), "203.0.113.9"),
        # Not from a trusted proxy: the header is not believed.
        ("198.51.100.7", "10.0.0.2", ("127.0.0.1",), "198.51.100.7"),
        # A malformed chain from a trusted proxy: believe none of it.
        ("127.0.0.1", "203.0.113.9, not-an-address", ("127.0.0.1",), "127.0.0.1"),
        ("127.0.0.1", "", ("127.0.0.1",), "127.0.0.1"),
        ("::1", "2001:db8::7", ("::1",), "2001:db8::7"),
    ],
)
def test_the_address_taken_from_the_chain(
    remote_addr, forwarded_for, trusted, expected
):
    assert client_address(remote_addr, forwarded_for, trusted) == expected
