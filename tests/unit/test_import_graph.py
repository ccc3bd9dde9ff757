"""Which package may import which: read from the source (every import statement, lazy ones in
functions too), followed transitively, so a new import that breaks a rule fails here.

The rules (docs/architecture.md): the sync client never imports either app, directly or through
anything it imports; neither app imports the other; only the launchers (license_mocks_launch)
and the tests start both. And no app module starts a thread (the apps start no background
threads; github_http/live.py is the test and launcher server, never used by create_app).
"""
from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("scenarios", "export_format", "github_http", "license_rules", "mock_ghes", "mock_ghec", "sync_client",
            "license_mocks_pytest", "license_mocks_launch")
APPS = ("mock_ghes", "mock_ghec")
#: Modules that may start a thread, and why.
THREAD_ALLOWED = {"github_http/live.py": "the in-process server of tests and launchers, outside every app"}


def _module_name(path: Path) -> str:
    """`github_http/storage.py` -> `github_http.storage`; a package's `__init__.py` is the package."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    """Every first-party module of the distributed packages."""
    return {_module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}


MODULES = _modules()


def _resolve(module: str, node: ast.ImportFrom) -> str:
    """The absolute name a `from ... import` refers to."""
    if not node.level:
        return node.module or ""
    package = module.split(".") if MODULES[module].name == "__init__.py" else module.split(".")[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


@cache
def _direct(module: str) -> frozenset[str]:
    """The first-party modules `module` imports anywhere in its source."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(MODULES[module].read_text())):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            names = [target, *(f"{target}.{alias.name}" for alias in node.names)]
        for name in names:
            while name and name not in MODULES:  # `pkg.mod.func` -> `pkg.mod`
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    # Importing `a.b.c` runs `a/__init__.py` and `a/b/__init__.py` as well.
    for name in list(found):
        parts = name.split(".")
        found.update(".".join(parts[:n]) for n in range(1, len(parts)) if ".".join(parts[:n]) in MODULES)
    found.discard(module)
    return frozenset(found)


def _reachable(start: str) -> dict[str, str]:
    """Every module `start` imports, transitively, each with the module that imports it."""
    seen: dict[str, str] = {}
    todo = [start]
    while todo:
        current = todo.pop()
        for imported in _direct(current):
            if imported not in seen and imported != start:
                seen[imported] = current
                todo.append(imported)
    return seen


def _chain(start: str, end: str, via: dict[str, str]) -> str:
    """`start -> … -> end`, for the failure message."""
    path = [end]
    while path[-1] != start and path[-1] in via:
        path.append(via[path[-1]])
    return " -> ".join(reversed(path))


def _violations(packages: tuple[str, ...], forbidden: tuple[str, ...]) -> list[str]:
    """Import chains from a module of `packages` into a module of `forbidden`."""
    out = []
    for module in sorted(m for m in MODULES if m.split(".")[0] in packages):
        via = _reachable(module)
        out += [_chain(module, target, via) for target in sorted(via) if target.split(".")[0] in forbidden]
    return out


def test_the_graph_is_read_at_all() -> None:
    """The reader finds the imports it should (else every rule below would pass vacuously)."""
    assert "mock_ghec.store" in _direct("mock_ghec.api_hot")
    assert "github_http.storage" in _reachable("mock_ghec.app")
    assert {"mock_ghes", "mock_ghec"} <= set(_reachable("license_mocks_launch.servers"))


def test_the_sync_client_never_imports_an_app() -> None:
    assert _violations(("sync_client",), APPS) == []


@pytest.mark.parametrize(("app", "other"), [("mock_ghes", "mock_ghec"), ("mock_ghec", "mock_ghes")],
                         ids=["ghes-not-ghec", "ghec-not-ghes"])
def test_neither_app_imports_the_other(app: str, other: str) -> None:
    assert _violations((app,), (other,)) == []


def test_shared_packages_import_no_app_nor_the_launchers() -> None:
    """What both apps and the client share may not lead back into either app."""
    assert _violations(("scenarios", "export_format", "github_http", "license_rules"),
                       (*APPS, "license_mocks_launch")) == []


def test_no_app_module_starts_a_thread() -> None:
    starters = []
    for module, path in sorted(MODULES.items()):
        relative = path.relative_to(ROOT).as_posix()
        if module.split(".")[0] not in (*APPS, "github_http") or relative in THREAD_ALLOWED:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
                if name in ("Thread", "Timer", "ThreadPoolExecutor", "start_new_thread"):
                    starters.append(f"{relative}:{node.lineno}")
    assert starters == []
