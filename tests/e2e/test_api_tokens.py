"""A member of staff makes an API token in the admin, a client uses it, she revokes
it, and the client is refused."""

import json
import re
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from .test_concern_forms import sign_in

pytestmark = pytest.mark.e2e


def call(server, secret):
    request = urllib.request.Request(  # noqa: S310 (our own test server)
        f"{server.base_url}/api/v1/token",
        headers={"Authorization": f"Bearer {secret}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_staff_make_use_and_revoke_a_token(page, server, screenshot):
    sign_in(page, server, "staff.oakfield")
    # A teacher's sidebar doesn't offer tokens (tests/api/test_tokens.py checks
    # the Account page's link); the page itself is theirs.
    page.goto("/admin/api-tokens/")
    page.get_by_role("textbox", name=re.compile("^Name")).fill("School portal")
    page.get_by_role("checkbox", name=re.compile("^Report concerns")).check()
    screenshot("form")
    page.get_by_role("button", name="Make token").click()

    secret = page.locator("[data-token-secret]").inner_text().strip()
    screenshot("made")
    assert secret.startswith("chr_")
    status, body = call(server, secret)
    assert status == 200 and body["scopes"] == ["submit"]

    page.goto("/admin/api-tokens/")  # shown once: not on the next visit
    expect(page.locator("[data-token-secret]")).to_have_count(0)
    row = page.locator("[data-api-tokens] tbody tr", has_text="School portal")
    expect(row).not_to_contain_text("Never")  # last used: just now
    row.get_by_role("button", name="Revoke").click()
    expect(row).to_contain_text("Revoked")
    screenshot("revoked")

    status, body = call(server, secret)
    assert status == 401
    assert body["detail"] == "This API token has been revoked."
