"""The package layout holds: imports follow the dependency rule and form no cycle; endpoints are named after
their package's blueprint; templates are namespaced; no module is very long without saying why."""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "locations"

# Which packages each package may import (it follows the model graph; admin and api may use any).
LOWER = {
    "core": set(),
    "directory": {"core"},
    "permits": {"core", "directory"},
    "incentives": {"core", "directory"},
    "library": {"core", "directory", "permits"},
    "accounts": {"core", "directory", "permits"},
    "cases": {"core", "directory", "permits", "library", "accounts"},
    "collaboration": {"core", "directory", "permits", "library", "accounts"},
    "reports": {"core", "directory", "permits", "library", "accounts", "cases", "collaboration"},
}
ANY = {"admin", "api"}
# Not in a package: the app factory, the model registry and the commands that run across packages.
TOP_LEVEL = {"__init__", "models", "cli", "seeding", "worker", "backup", "backup_postgres", "cli_backup"}


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = ("locations",) + path.relative_to(PACKAGE).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules ``name`` imports, anywhere in the file."""
    is_package = path.name == "__init__.py"
    here = name.split(".") if is_package else name.split(".")[:-1]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = here[:len(here) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                candidate = f"{module}.{alias.name}"
                targets.add(candidate if candidate in known else module)
        elif isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
    return {t for t in targets if t in known and t != name}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_package_is_placed_in_the_rule():
    packages = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages - {"migrations", "translations"} == set(LOWER) | ANY
    files = {p.stem for p in PACKAGE.glob("*.py")}
    assert files == TOP_LEVEL


def test_imports_follow_the_dependency_rule(graph):
    broken = []
    for module, targets in graph.items():
        source = package_of(module)
        if source in ANY or source in TOP_LEVEL:
            continue
        for target in targets:
            destination = package_of(target)
            if destination == source:
                continue
            if destination in TOP_LEVEL and destination != "__init__" or destination not in LOWER[source]:
                broken.append(f"{module} imports {target}")
    assert broken == [], "an import against the dependency rule (tests/core/test_layout.py LOWER)"


def test_packages_import_models_from_their_owners_not_the_registry(graph):
    users = sorted(m for m, targets in graph.items() if "locations.models" in targets)
    assert users == ["locations"], users


def test_no_import_cycles(graph):
    # Imports inside functions break a load-time cycle but not the tangle: count them too.
    state: dict[str, int] = defaultdict(int)
    cycles = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            # A package face handing names on from its own modules is not a cycle with them.
            if node == "locations" or target.startswith(node + ".") or node.startswith(target + ".") \
                    and Path(modules()[target]).name == "__init__.py":
                continue
            if state[target] == 1:
                cycles.append(trail[trail.index(target):] + [target] if target in trail else [node, target])
            elif state[target] == 0:
                visit(target, trail + [target])
        state[node] = 2

    for module in sorted(graph):
        if state[module] == 0:
            visit(module, [module])
    assert cycles == []


def test_endpoints_are_named_after_their_package(app):
    blueprints_of = {
        "directory": "directory", "library": "library", "permits": "permits", "incentives": "incentives",
        "cases": "cases", "inquiries": "collaboration", "board": "collaboration", "shortlists": "collaboration", "reports": "reports",
        "accounts": "accounts", "admin": "admin", "api": "api",
    }
    for rule in app.url_map.iter_rules():
        blueprint, _, _ = rule.endpoint.rpartition(".")
        if not blueprint:
            assert rule.endpoint == "static"
            continue
        if blueprint == "vendor":
            continue
        module = app.view_functions[rule.endpoint].__module__
        assert module.split(".")[1] == blueprints_of[blueprint], (rule.endpoint, module)


def test_templates_are_namespaced_by_package():
    for package in (LOWER.keys() | ANY) - {"core"}:  # core holds the shared templates
        folder = PACKAGE / package / "templates"
        if not folder.exists():
            continue
        for template in folder.rglob("*.html"):
            namespace = template.relative_to(folder).parts[0]
            assert namespace in (package, "inquiries", "board", "shortlists") if package == "collaboration" else namespace == package, \
                template


def test_long_modules_say_why():
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > 420:
            assert "long because" in text.split('"""')[1].lower(), f"{path} is long without saying why"
