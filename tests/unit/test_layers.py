"""The architecture's import rules: flows/ knows no Telegram or database, storage/ no chats."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {
    "flows": {"flows", "pydantic", "yaml", "holidays"},
    "storage": {"storage", "sqlalchemy", "alembic", "flows"},
}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_what_its_layer_may(package):
    import sys

    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    for path in (ROOT / package).rglob("*.py"):
        foreign = imported_packages(path) - stdlib - ALLOWED[package]
        assert not foreign, f"{path.relative_to(ROOT)} imports {sorted(foreign)}"
