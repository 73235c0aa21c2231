"""Rewrite admin URL names to their namespaced form (issue 15).

Each app's admin URLs sit in a namespace of their own (`records_admin:file_detail`,
`workflows:casework_task`, ...). scripts/url_namespace_map.txt lists `old new`, one
pair a line. This rewrites the old names where they are used as URL names:

- templates: `{% url 'old' ... %}`, `{% url "old" ... %}`
- Python: `reverse("old"`, `reverse_lazy(`, `redirect(`, `resolve_url(`,
  `pattern_name="old"`, `*url_name* = "old"` / `"*url_name*": "old"` (also in
  `{% include ... with restrict_url_name="old" %}`), `["url_name"] == "old"`
- every quoted old name in NAME_FILES: files whose quoted names are all URL names
  (audit.refusals.CASE_URLS, the permission matrix and the tests built on it)

It is safe to run again: a name already namespaced is left alone. Bare strings in
other places are NOT rewritten (several old names, "reports", "roles", "my_tasks",
are ordinary words elsewhere); `--report` lists every quoted old name left, so a
person can look at each one (lists of names in tests, for example).

    python scripts/apply_url_namespaces.py           # rewrite the names in place
    python scripts/apply_url_namespaces.py --report  # then list what is left
"""

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAP = ROOT / "scripts" / "url_namespace_map.txt"
TREES = ("site", "records", "workflows", "forms", "taxonomy", "templates", "tests")
SUFFIXES = {".py", ".html", ".txt", ".js"}
SKIP_PARTS = {"migrations", "node_modules", "__pycache__"}

# Where a quoted string is a URL name: (prefix regex) + quote + name + quote.
CONTEXTS = (
    r"\{%\s*url\s+",
    r"\b(?:reverse|reverse_lazy|redirect|resolve_url)\(\s*",
    r"\bpattern_name\s*=\s*",
    r"\b\w*url_name\w*[\"']?\s*[=:]\s*",
    r"\[[\"']url_name[\"']\]\s*==\s*",
)
NAME_FILES = {
    Path(name)
    for name in (
        "site/audit/refusals.py",
        "tests/security/test_permission_matrix.py",
        "tests/security/test_bad_input.py",
        "tests/security/test_adult_conflict.py",
        "tests/security/test_need_to_know.py",
        "tests/perf/test_query_budgets.py",
        "tests/audit/test_browse.py",
        "tests/audit/test_refusals.py",
    )
}


def _say(line: str, stream=None) -> None:
    (stream or sys.stdout).write(line + "\n")


def load_map(path: Path = MAP) -> dict[str, str]:
    pairs = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            old, new = line.split()
            pairs[old] = new
    return pairs


def _names_pattern(pairs: dict[str, str]) -> str:
    # longest first so that `file_audit` never wins over `file_audit_detail`
    return "|".join(re.escape(name) for name in sorted(pairs, key=len, reverse=True))


def rewrite(text: str, pairs: dict[str, str], *, every_quoted: bool = False) -> str:
    names = _names_pattern(pairs)
    for context in CONTEXTS:
        pattern = re.compile(rf"({context})([\"'])({names})\2")
        text = pattern.sub(lambda m: f"{m[1]}{m[2]}{pairs[m[3]]}{m[2]}", text)
    if every_quoted:
        # (these files declare no path(), so `name="old"` is a use, not a declaration)
        quoted = re.compile(rf"([\"'])({names})\1")
        text = quoted.sub(lambda m: f"{m[1]}{pairs[m[2]]}{m[1]}", text)
    return text


def files(root: Path = ROOT):
    for tree in TREES:
        for path in sorted((root / tree).rglob("*")):
            if (
                path.is_file()
                and path.suffix in SUFFIXES
                and not SKIP_PARTS.intersection(path.parts)
            ):
                yield path


def report(pairs: dict[str, str], root: Path = ROOT) -> int:
    """Print each quoted old name still standing; the count is returned."""
    quoted = re.compile(rf"([\"'])({_names_pattern(pairs)})\1")
    left = 0
    for path in files(root):
        text = path.read_text()
        declares = "path(" in text
        for number, line in enumerate(text.splitlines(), 1):
            if declares and re.search(r"\bname=", line):
                continue  # the path() declaring the name keeps its short form
            if quoted.search(line):
                left += 1
                _say(f"{path.relative_to(root)}:{number}: {line.strip()}")
    return left


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", action="store_true", help="list what is left")
    parser.add_argument("--map", type=Path, default=MAP)
    args = parser.parse_args(argv)
    pairs = load_map(args.map)
    if args.report:
        left = report(pairs)
        _say(f"{left} line(s) to look at", sys.stderr)
        return 0
    changed = 0
    for path in files():
        text = path.read_text()
        new = rewrite(text, pairs, every_quoted=path.relative_to(ROOT) in NAME_FILES)
        if new != text:
            path.write_text(new)
            changed += 1
            _say(f"rewrote {path.relative_to(ROOT)}")
    _say(f"{changed} file(s) rewritten", sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
