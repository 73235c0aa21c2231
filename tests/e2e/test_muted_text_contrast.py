"""Muted text on the page ("(over 3 concerns that reached it)" on Workflow status,
"The ten most recent before this one.") is readable in Wagtail's light and dark
themes. It once used the sidebar's label colour: white on the white page.

The markup of templates/workflows/status.html's medians, on a page with Wagtail's
admin CSS and Chronicle's."""

import pytest

from .conftest import SCREENSHOTS
from .test_secret_panel_contrast import CHRONICLE_CSS, LOWEST_CONTRAST, WAGTAIL_CSS

pytestmark = pytest.mark.e2e
MEDIANS = """
<main class="nice-padding">
  <dl class="casework-facts" data-medians>
    <dt>Median time: Triage</dt>
    <dd>2 hours
      <span class="casework-muted">(over 3 concerns that reached it)</span></dd>
  </dl>
  <p class="casework-muted" data-medians>The ten most recent before this one.</p>
</main>
"""


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_muted_text_is_readable_in_both_themes(browser, theme):
    page = browser.new_page(viewport={"width": 900, "height": 300})
    page.set_content(
        f'<!doctype html><html class="w-theme-{theme} w-density-default">'
        f'<head></head><body class="w-body">{MEDIANS}</body></html>'
    )
    page.add_style_tag(content=WAGTAIL_CSS.read_text())
    page.add_style_tag(content=CHRONICLE_CSS.read_text())
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"muted-text-{theme}.png"))
    lowest, element = page.evaluate(LOWEST_CONTRAST, "[data-medians]")
    page.close()

    assert lowest >= 4.5, f"{element} at {lowest:.2f}:1 in the {theme} theme"
