"""The staff path on a phone (issue 21): sign in, report a concern from the
dashboard, see it sent — at 390 × 844 (a current phone) and at 320 px wide (the
narrowest in use), with no sideways scrolling and every control on the path at
least 44 × 44 px. On the way, the remembered device: the first sign-in asks the
code and the person ticks "Remember this device"; the second, on the same phone,
asks the password only. Screenshots in tests/e2e/screenshots/phone-*.png."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import SCREENSHOTS
from .test_concern_forms import LOOKUP, sign_in

pytestmark = pytest.mark.e2e

USER = "staff.oakfield"
# Every control the path's pages offer in their main area (and the sign-in form):
# radio buttons and checkboxes are measured by their label, the whole row one taps.
CONTROLS = """
() => {
  const small = [];
  const picks = document.querySelectorAll(
    "main button, main input:not([type=hidden]), main select, main textarea, " +
    "main summary, main a.button, main [role=option], .login-form button"
  );
  for (const el of picks) {
    if (!el.checkVisibility()) continue;
    const target = ["radio", "checkbox"].includes(el.type)
      ? (el.closest("label") || document.querySelector(`label[for="${el.id}"]`) || el)
      : el;
    const box = target.getBoundingClientRect();
    if (box.width < 44 || box.height < 44) {
      const name = (target.innerText || el.name || el.id || el.tagName).trim();
      const size = `${Math.round(box.width)}x${Math.round(box.height)}`;
      small.push(`${name.slice(0, 40)} ${size}`);
    }
  }
  return small;
}
"""
# Sideways: the page's width, and (the admin scrolls inside <main>, with overflow-x
# hidden there, so nothing would scroll: it would be cut off) anything in <main>
# reaching past the right edge of the screen.
SIDEWAYS = """
() => [
  Math.max(
    document.scrollingElement.scrollWidth,
    ...[...document.querySelectorAll("main")].map(
      (main) => main.scrollWidth - main.clientWidth + window.innerWidth
    ),
  ),
  window.innerWidth,
  [...document.querySelectorAll("main *")]
    .filter((el) => el.checkVisibility()
      && el.getBoundingClientRect().right > window.innerWidth + 0.5)
    .slice(0, 3)
    .map((el) => `${el.tagName}.${el.className} ${el.getBoundingClientRect().right}`),
]
"""


def check(page, name):
    """No sideways scroll, no small target; then a screenshot to look at."""
    scroll_width, width, wide = page.evaluate(SIDEWAYS)
    assert scroll_width <= width, f"{name}: {scroll_width}px wide at {width}"
    assert wide == [], f"{name}: cut off at the right at {width} px"
    assert page.evaluate(CONTROLS) == [], f"{name}: targets under 44 px"
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"phone-{width}-{name}.png"), full_page=True)


def password_only(page, server):
    password = re.search(r"demo user: (\S+)", server.demo_output).group(1)
    page.goto("/")
    page.get_by_label("Username").fill(USER)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your roles")).to_be_visible()


def report(page, upn, name, width):
    check(page, "1-dashboard")
    page.get_by_role("link", name="Playground concern").click()
    check(page, "2-form")
    page.get_by_role("combobox", name="Find a child").fill(upn)
    expect(page.get_by_role("option", name=re.compile(name))).to_be_visible()
    check(page, "3-child-found")
    page.keyboard.press("Enter")
    card = page.locator("[data-children] tbody tr").first
    expect(card).to_contain_text(name)
    # The child's card: "How involved" and Remove (naming the child) on screen.
    involved = card.get_by_role("combobox", name="How involved")
    remove = card.get_by_role("button", name=f"Remove {name}")
    for control in (involved, remove):
        box = control.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
    check(page, "4-child-added")
    # The essentials come first: which child, what happened, the risk.
    order = page.evaluate(
        "() => [...document.querySelectorAll('[data-concern-form] legend')]"
        ".map((l) => l.textContent.trim())"
    )
    assert order[:3] == ["Children involved", "What happened", "Risk and actions"]
    page.get_by_role("button", name="Send to the safeguarding team").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()
    check(page, "5-errors")
    expect(card).to_contain_text(name)  # nothing typed is lost
    page.get_by_label("What happened").fill(f"Synthetic: reported at {width} px.")
    page.get_by_label("What the child said").fill("'I don't want to go outside.'")
    page.locator("input[name=immediate_risk][value=no]").check()
    page.get_by_label("Date it happened").fill("2026-11-27")
    page.get_by_role("combobox", name=re.compile(r"^Where")).select_option(
        label="Playground"
    )
    page.get_by_role("radio", name="Bullying").first.check()
    page.get_by_role("button", name="Send to the safeguarding team").click()
    expect(page.locator("[data-confirmation]")).to_contain_text(
        "Your concern has been received"
    )
    check(page, "6-sent")


def test_staff_report_a_concern_on_a_phone(browser, server):
    _form, *pupils = server.manage("shell", "-v", "0", "-c", LOOKUP).splitlines()
    upn, name = pupils[0].split(" ", 1)
    phone = browser.new_context(
        base_url=server.base_url,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    page = phone.new_page()
    page.goto("/")
    check(page, "0-sign-in")

    # First sign-in: password and code, and "Remember this device".
    sign_in(page, server, USER, remember=True)
    report(page, upn, name, 390)

    # The browser closes (its session cookie goes; the device cookie stays); the
    # next sign-in on this phone asks the password only.
    kept = [cookie for cookie in phone.cookies() if cookie["expires"] > 0]
    names = {cookie["name"] for cookie in kept}
    assert "chronicle_device" in names and "sessionid" not in names
    phone.clear_cookies()
    phone.add_cookies(kept)
    page.set_viewport_size({"width": 320, "height": 640})
    password_only(page, server)
    report(page, upn, name, 320)
    phone.close()
