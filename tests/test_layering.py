"""Arrows point down: the lowest apps import nothing above them, and settings import no project
module (read from the source with `ast`, imports inside functions included)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent

# The apps, lowest first: each may import those before it, never those after it.
LAYERS = ["accounts", "categories", "tickets", "notifications"]
# Packages of the project that are not apps: what only the project itself or the tools use.
PROJECT_PACKAGES = sorted(
    path.parent.name
    for path in BASE_DIR.glob("*/__init__.py")
    if not path.parent.name.startswith(".")
)
# Calls that import a module or reach a model by its name at run time.
DYNAMIC_IMPORTS = {"import_module", "import_string", "get_model", "__import__"}


def imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of every module the file imports, at any depth, statically or through
    importlib / import_string / apps.get_model with a literal name."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if (
                name in DYNAMIC_IMPORTS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                yield node.lineno, node.args[0].value


def top_package(module: str) -> str:
    return module.split(".", 1)[0]


def violations(files: list[Path], forbidden: set[str]) -> list[str]:
    return [
        f"{path.relative_to(BASE_DIR)}:{line} imports {module}"
        for path in files
        for line, module in imported_modules(path)
        if top_package(module) in forbidden
    ]


@pytest.mark.parametrize("app", ["accounts", "categories"])
def test_the_lowest_apps_import_no_app_above_them(app):
    """accounts imports no other app of the project; categories imports accounts only. What the
    apps above add to them (a person's data, a profile form) they register from their own
    AppConfig.ready()."""
    above = set(LAYERS[LAYERS.index(app) + 1 :]) | (set(PROJECT_PACKAGES) - set(LAYERS))
    files = sorted((BASE_DIR / app).rglob("*.py"))
    assert files
    found = violations(files, above)
    assert not found, "\n".join(found)


def test_settings_import_no_project_module():
    """helpdesk/settings.py reads the environment and names the project's classes by their
    dotted path: importing an app (or helpdesk itself) while settings load would run code that
    may need settings."""
    settings_file = BASE_DIR / "helpdesk" / "settings.py"
    found = violations([settings_file], set(PROJECT_PACKAGES))
    assert not found, "\n".join(found)


def test_the_checks_see_imports_inside_functions(tmp_path):
    """A deferred import counts as much as one at the top of the module."""
    module = tmp_path / "sample.py"
    module.write_text(
        "def f():\n"
        "    from tickets.models import Ticket\n"
        "    apps.get_model('notifications.Notification')\n"
        "    import_string('categories.models.Category')\n"
    )
    assert [top_package(name) for _line, name in imported_modules(module)] == [
        "tickets",
        "notifications",
        "categories",
    ]
