"""The body map in a browser: two marks added with the keyboard alone, one by
pointer on the outline, and on a phone; then the DSL reads the marks on the
concern. (The table without any script is tested with the test client in
tests/records/test_body_map.py: the page is the same HTML.)"""

import re

import pytest
from playwright.sync_api import expect

from .conftest import SCREENSHOTS
from .test_concern_forms import LOOKUP, add_child, sign_in

pytestmark = pytest.mark.e2e


def pupils(server):
    _form_id, *rows = (
        server.manage("shell", "-v", "0", "-c", LOOKUP).strip().splitlines()
    )
    return [row.split(" ", 1) for row in rows]


def focused(page):
    return page.evaluate(
        "() => document.activeElement.getAttribute('aria-label')"
        " || document.activeElement.labels?.[0]?.textContent.trim()"
        " || document.activeElement.textContent.trim()"
    )


def add_mark_by_keyboard(page, region, description, size, colour):
    """From "Add a mark": Enter, type the part's name in the list, Tab on."""
    expect(page.get_by_role("button", name="Add a mark")).to_be_focused()
    page.keyboard.press("Enter")
    number = page.locator("[data-mark-row]").count()
    region_list = page.get_by_label(f"Mark {number}: part of the body")
    expect(region_list).to_be_focused()
    page.keyboard.type(region)
    expect(region_list.locator("option:checked")).to_have_text(re.compile(region))
    for text in (description, size, colour):
        page.keyboard.press("Tab")
        page.keyboard.type(text)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name=f"Remove mark {number}")).to_be_focused()
    page.keyboard.press("Tab")


def test_two_marks_front_and_back_with_the_keyboard_alone(page, server, screenshot):
    (upn, name), _other = pupils(server)
    sign_in(page, server, "staff.oakfield")
    page.get_by_role("link", name="General concern").click()
    add_child(page, upn, name)
    page.get_by_label("Date it happened").fill("2026-11-27")
    page.get_by_role("combobox", name=re.compile(r"^Where")).select_option(index=1)
    page.get_by_label("What happened").fill("Synthetic: bruises seen at PE.")
    page.get_by_label("What the child said").fill("'I fell over.' Quiet.")

    # Tab from the last field before the body map ("What you did", under risk and
    # actions): straight to "Add a mark" (the
    # outline is for pointers; the list is the keyboard's way in).
    page.locator("#id_actions_taken").focus()
    page.keyboard.press("Tab")
    add_mark_by_keyboard(
        page, "left forearm", "Synthetic: four oval bruises", "1 cm each", "purple"
    )
    add_mark_by_keyboard(
        page, "lower back", "Synthetic: a red line", "8 cm long", "red"
    )
    expect(page.locator("svg[data-view=front] .body-map__dot")).to_have_count(1)
    expect(page.locator("svg[data-view=back] .body-map__dot")).to_have_count(1)
    page.locator("#id_body_map").scroll_into_view_if_needed()
    screenshot("two-marks-by-keyboard")

    # A mark added by mistake goes again by keyboard; focus stays in the table.
    expect(page.get_by_role("button", name="Add a mark")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Remove mark 3")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("[data-mark-row]")).to_have_count(2)
    expect(page.get_by_role("button", name="Add a mark")).to_be_focused()
    expect(page.locator("[data-body-map] [data-status]")).to_have_text(
        "Mark 3 removed."
    )

    page.get_by_role("radio", name=re.compile("^Physical abuse")).first.focus()
    page.keyboard.press("Space")
    page.locator("input[name=immediate_risk][value=no]").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Send to the safeguarding team").focus()
    page.keyboard.press("Enter")
    confirmation = page.locator("[data-confirmation]")
    expect(confirmation).to_contain_text("Your concern has been received")
    # References are per school (OAK-000123, issue 22).
    reference = re.search(r"[A-Z][A-Z0-9]{1,5}-\d{6}", confirmation.inner_text())
    reference = reference.group(0)

    stored = server.manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from records.models import Concern; "
        f"c = Concern.objects.get(school_reference='{reference}'); "
        "print(c.pk); "
        "print([(m['view'], m['region'], m['description'], m['size'], m['colour'])"
        " for m in c.body_map]); print(c.body_map_pupil.upn)",
    )
    assert (
        "[('front', 'left_forearm', 'Synthetic: four oval bruises', '1 cm each', "
        "'purple'), ('back', 'trunk_lower', 'Synthetic: a red line', '8 cm long', "
        "'red')]" in stored
    )
    assert upn in stored
    concern_pk = int(stored.split()[0])

    # The DSL reads it on the concern: the outline and the table of marks.
    page.context.clear_cookies()
    sign_in(page, server, "dsl.oakfield")
    page.goto(f"/admin/casework/concerns/{concern_pk}/")
    display = page.locator("[data-body-map-display]")
    expect(display).to_contain_text("left forearm, front")
    expect(display).to_contain_text("lower back, back")
    expect(
        page.get_by_role("img", name=re.compile("Body outline, back"))
    ).to_be_visible()
    display.scroll_into_view_if_needed()
    screenshot("concern-shows-marks")


def test_a_click_on_the_outline_places_a_mark_there(page, server, screenshot):
    (upn, name), _other = pupils(server)
    sign_in(page, server, "staff.oakfield")
    page.get_by_role("link", name="General concern").click()
    add_child(page, upn, name)
    calf = page.locator('svg[data-view=back] [data-region="back.right_lower_leg"]')
    calf.click()
    row = page.locator("[data-mark-row]").last
    expect(row.locator("select")).to_have_value("back.right_lower_leg")
    expect(page.get_by_label("Mark 1: what you saw")).to_be_focused()
    expect(page.locator("[data-body-map] [data-status]")).to_contain_text(
        "Mark 1 added at right calf, back"
    )
    x = float(row.locator("[data-part=x]").input_value())
    assert 50 < x < 65  # the child's right is on the viewer's right from behind
    expect(page.locator("svg[data-view=back] .body-map__dot")).to_have_count(1)
    page.keyboard.type("Synthetic: graze")
    page.locator("#id_body_map").scroll_into_view_if_needed()
    screenshot("mark-placed-by-pointer")


def test_on_a_phone_each_mark_is_a_card_with_its_labels(browser, server):
    (upn, name), _other = pupils(server)
    context = browser.new_context(
        base_url=server.base_url, viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    try:
        sign_in(page, server, "staff.oakfield")
        page.get_by_role("link", name="General concern").click()
        add_child(page, upn, name)
        page.get_by_role("button", name="Add a mark").click()
        expect(page.get_by_text("Mark 1: part of the body")).to_be_visible()
        page.get_by_label("Mark 1: part of the body").select_option("front.right_hand")
        body_map = page.locator("[data-body-map]")
        overflow = body_map.evaluate("(el) => el.scrollWidth - el.clientWidth")
        assert overflow <= 0
        body_map.scroll_into_view_if_needed()
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "body-map-phone.png"))
    finally:
        context.close()
