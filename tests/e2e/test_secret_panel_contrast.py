"""The transfer's "Shown once" panel (passphrase and link) is readable in Wagtail's
light and dark themes: every text in it at WCAG AA contrast (4.5:1) or better.

The panel's markup (templates/workflows/transfers/detail.html) on a page with
Wagtail's admin CSS and Chronicle's: no server or transfer needed to see colours."""

from pathlib import Path

import pytest
import wagtail

from .conftest import SCREENSHOTS

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
WAGTAIL_CSS = Path(wagtail.__file__).parent / "admin/static/wagtailadmin/css/core.css"
CHRONICLE_CSS = ROOT / "site/dashboard/static/chronicle/chronicle.css"
PANEL = """
<main class="nice-padding">
  <section class="casework-section transfer-secret" role="alert" data-secret>
    <h2>Shown once: the passphrase and the link</h2>
    <p>Chronicle does not keep these. Give the passphrase to the receiving DSL
       separately from the link.</p>
    <p>Passphrase: <code data-passphrase>amber-otter-violin-42</code></p>
    <p>One-time link (works once, for seven days):
       <code data-link>http://127.0.0.1:8000/transfer/abc123/</code></p>
  </section>
</main>
"""
# The lowest contrast between a text's colour and the background it sits on
# (the nearest ancestor with an opaque background), per WCAG 2.x.
LOWEST_CONTRAST = """
(selector) => {
  const rgb = (c) => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const panel = document.querySelector(selector);
  let lowest = 99, which = "";
  for (const el of [panel, ...panel.querySelectorAll("*")]) {
    const texts = [...el.childNodes].filter((n) => n.nodeType === 3);
    if (!texts.some((n) => n.textContent.trim())) continue;
    const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < lowest) { lowest = ratio; which = el.tagName; }
  }
  return [lowest, which];
}
"""


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_shown_once_panel_is_readable_in_both_themes(browser, theme):
    page = browser.new_page(viewport={"width": 900, "height": 420})
    page.set_content(
        f'<!doctype html><html class="w-theme-{theme} w-density-default">'
        f'<head></head><body class="w-body">{PANEL}</body></html>'
    )
    # Inline: a page from set_content may not load file:// stylesheets.
    page.add_style_tag(content=WAGTAIL_CSS.read_text())
    page.add_style_tag(content=CHRONICLE_CSS.read_text())
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"transfer-secret-{theme}.png"))
    lowest, element = page.evaluate(LOWEST_CONTRAST, "[data-secret]")
    page.close()

    assert lowest >= 4.5, f"{element} at {lowest:.2f}:1 in the {theme} theme"
