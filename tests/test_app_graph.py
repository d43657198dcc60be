"""The apps form a layered graph: no import cycle between apps, and each README says what it may import.

Issue 13: "No import cycle between apps (a test in the suite builds the app graph from the imports,
including those inside functions, and fails on a cycle)". Every import of the code counts, at the
top of a module or inside a function. Tests and migrations are not read: a test may set up data
across apps, and a migration names the apps whose tables it follows.
"""

import ast
import re
from pathlib import Path

PACKAGE = "yipanqi"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE

# An app that is a folder of code and not a layer (templates and static assets hold no Python).
NOT_APPS = {"templates", "static", "locale"}

# A cycle allowed here must say why it is the clearest shape. None is, today.
ALLOWED_CYCLES: dict[frozenset[str], str] = {}

MAY_IMPORT = re.compile(r"^May import:\s*(.*)$", re.MULTILINE)


def apps() -> list[str]:
    return sorted(
        p.name
        for p in ROOT.iterdir()
        if p.is_dir() and (p / "__init__.py").exists() and p.name not in NOT_APPS
    )


def is_test_module(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts
    return "tests" in parts or path.name.startswith("test_") or path.name == "conftest.py"


def imported_apps(source: str, known: set[str]) -> set[str]:
    """Every app of ours that this module's source imports, at any depth of the code."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
            if node.module == PACKAGE:
                names = [f"{PACKAGE}.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            if len(parts) >= 2 and parts[0] == PACKAGE and parts[1] in known:
                found.add(parts[1])
    return found


def app_graph() -> dict[str, set[str]]:
    known = set(apps())
    graph: dict[str, set[str]] = {app: set() for app in known}
    for app in known:
        for path in (ROOT / app).rglob("*.py"):
            if is_test_module(path) or "migrations" in path.parts:
                continue
            graph[app] |= imported_apps(path.read_text(encoding="utf-8"), known) - {app}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one app (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph[node]):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_imported_apps_reads_imports_inside_functions():
    source = "import os\nfrom yipanqi.people import models\n\ndef f():\n    from yipanqi.stats.ledger import x\n"
    assert imported_apps(source, {"people", "stats", "web"}) == {"people", "stats"}
    assert imported_apps("from yipanqi import exchange\n", {"exchange"}) == {"exchange"}
    assert imported_apps("from . import models\n", {"people"}) == set()


def test_cycles_finds_a_cycle_and_ignores_a_chain():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_apps():
    graph = app_graph()
    unexpected = [c for c in cycles(graph) if frozenset(c) not in ALLOWED_CYCLES]
    detail = [
        ", ".join(f"{a}→{b}" for a in sorted(c) for b in sorted(graph[a] & c)) for c in unexpected
    ]
    assert not unexpected, "import cycles between apps: " + " | ".join(detail)


def test_every_app_readme_says_what_it_may_import():
    graph = app_graph()
    problems = []
    for app in apps():
        readme = ROOT / app / "README.md"
        if not readme.exists():
            problems.append(f"{app}: no README.md")
            continue
        match = MAY_IMPORT.search(readme.read_text(encoding="utf-8"))
        if not match:
            problems.append(f"{app}: README has no 'May import:' line")
            continue
        allowed = {name.strip(" `.") for name in match.group(1).split(",") if name.strip(" `.")}
        allowed.discard("nothing")
        extra = graph[app] - allowed
        if extra:
            problems.append(f"{app}: imports {sorted(extra)} that its README does not allow")
    assert not problems, "\n".join(problems)
