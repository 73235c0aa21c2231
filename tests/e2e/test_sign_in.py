"""A DSL's and a head's first steps in Chronicle, in a real browser."""

import base64
import re

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PASSWORD_RE = re.compile(r"password for every demo user: (\S+)")


def totp_now(secret):
    return f"{TOTP(base64.b32decode(secret)).token():06d}"


def demo_password(server):
    return PASSWORD_RE.search(server.demo_output).group(1)


def sign_in_with_password(page, server, username):
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in to Chronicle")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(demo_password(server))
    page.get_by_role("button", name="Sign in").click()


def sign_out(page):
    page.locator(".sidebar-footer__account").click()
    page.get_by_role("menuitem", name="Log out").or_(
        page.get_by_role("button", name="Log out")
    ).click()
    expect(page.get_by_role("heading", name="Sign in to Chronicle")).to_be_visible()


def test_dsl_enrols_two_factor_then_signs_in_with_a_backup_code(
    page, server, screenshot
):
    server.manage("reset_two_factor", "dsl.oakfield")

    sign_in_with_password(page, server, "dsl.oakfield")
    expect(page.get_by_role("heading", name="Set up two-factor")).to_be_visible()
    expect(page.locator("[data-qr-code] svg")).to_be_visible()
    screenshot("1-enrol")

    page.get_by_label("Six-digit code from your app").fill("000000")
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page.get_by_role("status")).to_contain_text("That code is not valid")
    screenshot("2-wrong-code")

    secret = page.locator("[data-totp-secret]").inner_text().strip()
    page.wait_for_timeout(1100)  # django-otp's throttle after the wrong code
    page.get_by_label("Six-digit code from your app").fill(totp_now(secret))
    page.get_by_role("button", name="Confirm and continue").click()

    expect(page.get_by_role("heading", name="Your backup codes")).to_be_visible()
    codes = page.locator("[data-backup-codes] code").all_inner_texts()
    assert len(codes) == 10
    screenshot("3-backup-codes")
    page.get_by_role("link", name="Saved — continue").click()

    expect(page.get_by_role("heading", name="Safeguarding team")).to_be_visible()
    expect(page.get_by_text("Designated safeguarding lead — Oakfield")).to_be_visible()
    screenshot("4-dashboard")

    sign_out(page)
    sign_in_with_password(page, server, "dsl.oakfield")
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.get_by_label("A backup code").check()
    page.get_by_role("textbox", name=re.compile(r"^Code")).fill(codes[0])
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Safeguarding team")).to_be_visible()
    screenshot("5-signed-in-with-backup-code")


def test_head_signs_in_with_the_printed_authenticator_secret(page, server, screenshot):
    block = server.demo_output.split("head.oakfield", 1)[1]
    secret = re.search(r"authenticator secret: (\S+)", block).group(1)

    sign_in_with_password(page, server, "head.oakfield")
    page.get_by_role("textbox", name=re.compile(r"^Code")).fill(totp_now(secret))
    page.get_by_role("button", name="Verify").click()

    expect(page.get_by_role("heading", name="Oversight")).to_be_visible()
    expect(page.get_by_role("heading", name="Safeguarding team")).to_have_count(0)
    screenshot("dashboard")
