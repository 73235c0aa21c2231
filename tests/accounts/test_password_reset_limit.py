"""Password reset is rate limited per account and per client address, and the
refusal reads the same whether or not the account exists."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

RESET = reverse("wagtailadmin_password_reset")
REFUSED = "Too many password reset requests"


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


def ask(email, address="192.0.2.1"):
    return Client(REMOTE_ADDR=address).post(RESET, {"email": email})


def test_a_flood_for_one_account_sends_three_emails_then_refuses(staff):
    for n in range(3):  # from three machines: the account's limit, not the address's
        assert ask(staff.email, address=f"192.0.2.{n + 1}").status_code == 302
    assert len(mail.outbox) == 3

    refused = ask(staff.email, address="198.51.100.7")

    assert refused.status_code == 200
    assert REFUSED in refused.content.decode()
    assert len(mail.outbox) == 3
    # The limit is per account, not for everyone: a colleague still gets a link.
    assert ask("someone-else@example.org", "198.51.100.9").status_code == 302


def test_the_refusal_does_not_tell_whether_the_account_exists(staff):
    nobody = "nobody-here@example.org"
    answers = {}
    for email in (staff.email, nobody):
        sent = [ask(email, address=f"203.0.113.{n + 1}") for n in range(3)]
        refused = ask(email, address="203.0.113.50")
        answers[email] = (
            [response["Location"] for response in sent],
            refused.status_code,
            list(refused.context["form"].errors.get("email", [])),
        )
    assert answers[staff.email] == answers[nobody]
    assert REFUSED in answers[nobody][2][0]


def test_one_address_asking_for_many_accounts_is_refused_after_ten():
    for n in range(10):
        assert ask(f"guess{n}@example.org").status_code == 302
    refused = ask("guess10@example.org")
    assert refused.status_code == 200
    assert REFUSED in refused.content.decode()
    # Another machine is not held back by this one.
    assert ask("guess10@example.org", address="192.0.2.99").status_code == 302
