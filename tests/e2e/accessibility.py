"""axe-core in every page the browser tests open (WCAG 2.2 AA and axe's best
practices; a serious or critical violation fails the test).

Every context the module's browser makes gets axe as an init script, so it runs
on each page load; each screenshot runs it again on the state being pictured
(error summaries, panels opened by script); and each page is checked once more
where the test left it. Results come back through a binding, with the rule, its
impact, the page and the elements, so a failure says what to fix.
"""

import json
from dataclasses import dataclass, field

FAILING = ("serious", "critical")

# Runs in the page: axe once per load, and on demand (window.__chronicleAxe()).
RUNNER = """
(() => {
  if (window.top !== window) return;  // frames are checked by their page's run
  if (!location.protocol.startsWith("http")) return;  // about:blank, data: pages
  const failing = %s;
  let queue = Promise.resolve();
  window.__chronicleAxe = () => {
    // A page settles first: messages slide in, panels open; colours measured
    // half-way through a fade are not what anyone reads.
    const settled = () => Promise.race([
      Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null))),
      new Promise((resolve) => setTimeout(resolve, 2000)),
    ]);
    queue = queue.then(settled)
      .then(() => axe.run(document, {resultTypes: ["violations"]}))
      .then((result) => window.__chronicleAxeReport({
        url: location.pathname + location.search,
        title: document.title,
        violations: result.violations
          .filter((v) => failing.includes(v.impact))
          .map((v) => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map((n) => {
              const data = (n.any[0] || {}).data || {};
              const colours = data.fgColor
                ? ` [${data.fgColor} on ${data.bgColor}, ${data.contrastRatio}:1]` : "";
              return n.target.join(" ") + colours + " " + n.html.slice(0, 100);
            }),
          })),
      }))
      .catch((error) => window.__chronicleAxeReport({
        url: location.pathname, title: document.title, error: String(error),
      }));
    return queue;
  };
  window.addEventListener("load", () => window.__chronicleAxe());
})();
"""


@dataclass
class Accessibility:
    source: str
    reports: list = field(default_factory=list)
    contexts: list = field(default_factory=list)
    mark: int = 0

    def watch(self, browser):
        """Give every context the browser makes axe, and every page a checked
        screenshot."""
        new_context = browser.new_context

        def context_with_axe(*args, **kwargs):
            context = new_context(*args, **kwargs)
            self._prepare(context)
            return context

        def page_with_axe(*args, **kwargs):
            context = context_with_axe(*args, **kwargs)
            page = context.new_page()
            # Closing the page closes its own context, as Browser.new_page does.
            page.on("close", lambda _page: context.close())
            return page

        browser.new_context = context_with_axe
        browser.new_page = page_with_axe

    def _prepare(self, context):
        context.expose_binding(
            "__chronicleAxeReport", lambda _source, report: self.reports.append(report)
        )
        context.add_init_script(self.source)
        context.add_init_script(RUNNER % json.dumps(FAILING))
        context.on("page", _check_screenshots)
        close = context.close

        def close_after_checking(*args, **kwargs):
            for page in context.pages:
                check_page(page)
            return close(*args, **kwargs)

        context.close = close_after_checking
        self.contexts.append(context)

    def start(self):
        self.mark = len(self.reports)

    def finish(self) -> str:
        """Check where each open page was left, then describe every failing
        violation reported since start(); empty when there is none."""
        for context in self.contexts:
            for page in list(context.pages):  # none once the context is closed
                check_page(page)
        lines = []
        for report in self.reports[self.mark :]:
            if report.get("error"):
                lines.append(f"{report['url']}: axe could not run: {report['error']}")
            for violation in report.get("violations", []):
                lines.append(
                    f"{report['url']} ({report['title']}): {violation['impact']} "
                    f"{violation['id']} — {violation['help']}: "
                    + ", ".join(violation["nodes"])
                )
        return "\n".join(dict.fromkeys(lines))


def check_page(page):
    """Run axe on the page as it is now and wait for the result."""
    if page.is_closed():
        return
    try:
        page.evaluate("() => window.__chronicleAxe && window.__chronicleAxe()")
    except Exception as error:  # a page mid-navigation, or a download
        if "Execution context was destroyed" not in str(error):
            raise


def _check_screenshots(page):
    screenshot = page.screenshot

    def screenshot_then_check(*args, **kwargs):
        picture = screenshot(*args, **kwargs)
        check_page(page)
        return picture

    page.screenshot = screenshot_then_check
