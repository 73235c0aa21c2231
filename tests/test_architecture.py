"""The shape of the code, read with `ast` (nothing is imported): which room may import
which, no imports inside functions, no module too long to read.

The rooms, bottom to top (docs/architecture.md explains them):

    chronicle < audit < accounts < taxonomy < records < workflows < forms
        < {reports, api, dashboard, ops, oversight, demo}

A room imports only rooms below it, at module level. The top rooms may import every
room below them but not each other. Where a lower room needs something from a higher
one (a panel on the child's file, a dashboard panel), the lower room defines a Wagtail
hook or a small registry and the higher room registers with it.

Each failure lists every offence as `path:line → what`, so the list can be worked
through one by one.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Rank of each room: a module may import rooms of a lower rank only.
TOP = 7
RANKS = {
    "chronicle": 0,
    "audit": 1,
    "accounts": 2,
    "taxonomy": 3,
    "records": 4,
    "workflows": 5,
    "forms": 6,
    "reports": TOP,
    "api": TOP,
    "dashboard": TOP,
    "ops": TOP,
    "oversight": TOP,
    "demo": TOP,
}
# The project wiring: URLconf and settings name every app by design.
EXEMPT_MODULES = ("chronicle.urls", "chronicle.settings")

# An import of our own code inside a function hides a cycle between modules; import at
# the top instead. A heavy optional library (WeasyPrint, openpyxl, sentry_sdk) may be
# imported inside the function that needs it, with a comment saying so: that is not
# our code and is not checked here. Should one of our modules ever exist only to wrap
# such a library, it goes in this allow-list with the reason:
# {"records.pdf": "imports WeasyPrint (Pango) at the top; only PDF exports need it"}
HEAVY_OPTIONAL: dict[str, str] = {}

MAX_LINES = 500


def _app_dirs():
    for base in (ROOT, ROOT / "site"):
        for room in RANKS:
            path = base / room
            if (path / "__init__.py").exists():
                yield room, path


def _modules():
    """(room, dotted module name, path) for every non-migration module of the apps."""
    for room, app_dir in _app_dirs():
        for path in sorted(app_dir.rglob("*.py")):
            relative = path.relative_to(app_dir.parent)
            if "migrations" in relative.parts:
                continue
            dotted = ".".join(relative.with_suffix("").parts)
            yield room, dotted.removesuffix(".__init__"), path


def _where(path, line):
    return f"{path.relative_to(ROOT)}:{line}"


def _imported(node, module, path):
    """The absolute module names an import statement names."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level == 0:
        return [node.module]
    package = module.split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - (node.level - 1)]
    return [".".join(base + ([node.module] if node.module else []))]


class _Imports(ast.NodeVisitor):
    """Every import of a module, and whether it sits inside a function.

    `AppConfig.ready()` is where Django wants an app to import its models and connect
    its receivers (the app registry is not ready while apps.py is imported), so imports
    there count as module level; the layering still applies to them.
    """

    def __init__(self, path):
        self.found = []  # (import node, inside a function)
        self._depth = 0
        self._apps_module = path.name == "apps.py"

    def _function(self, node):
        ready = self._apps_module and node.name == "ready"
        self._depth += 0 if ready else 1
        self.generic_visit(node)
        self._depth -= 0 if ready else 1

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_Import(self, node):
        self.found.append((node, self._depth > 0))

    visit_ImportFrom = visit_Import


def _imports():
    for room, module, path in _modules():
        visitor = _Imports(path)
        visitor.visit(ast.parse(path.read_text(), filename=str(path)))
        for node, in_function in visitor.found:
            for name in _imported(node, module, path):
                yield room, module, path, node.lineno, name, in_function


def _fail(title, offences):
    if offences:
        pytest.fail(
            f"{title}. {len(offences)} offence(s):\n  " + "\n  ".join(offences),
            pytrace=False,
        )


def test_each_room_imports_only_the_rooms_below_it():
    offences = []
    for room, module, path, line, name, _in_function in _imports():
        if module.startswith(EXEMPT_MODULES):
            continue
        other = name.split(".")[0]
        if other not in RANKS or other == room:
            continue
        if RANKS[other] < RANKS[room]:
            continue
        why = "a room beside it" if RANKS[other] == RANKS[room] else "a room above it"
        offences.append(f"{_where(path, line)} → {other} ({why})")
    _fail("Imports against the layering (docs/architecture.md)", offences)


def test_no_imports_of_our_own_modules_inside_functions():
    offences = []
    for room, _module, path, line, name, in_function in _imports():
        if not in_function:
            continue
        if name.split(".")[0] not in RANKS or name in HEAVY_OPTIONAL:
            continue
        offences.append(f"{_where(path, line)} → {name} (inside a function, in {room})")
    _fail(
        "Imports inside functions: import at the top of the module; if that makes a "
        "cycle, the layering is wrong (a hook or a registry in the lower room)",
        offences,
    )


def test_no_module_is_over_500_lines():
    offences = []
    for _room, _module, path in _modules():
        lines = len(path.read_text().splitlines())
        if lines > MAX_LINES:
            offences.append(f"{_where(path, 1)} → {lines} lines")
    _fail(
        f"Modules over {MAX_LINES} lines: split into a package by topic, the "
        "package's __init__ re-exporting the public names",
        offences,
    )


def test_the_rooms_are_all_found():
    # A renamed or moved app must not silently drop out of the checks above.
    found = {room for room, _path in _app_dirs()}
    assert found == set(RANKS), f"missing: {sorted(set(RANKS) - found)}"
