"""The architecture's import rules, as the README states them, checked on every module.

- flows/ imports no Telegram and no database; storage/ knows nothing of chats; only bot/ imports
  Telegram.
- bot/core is the adapter core: it imports no capability.
- bot/charts and bot/dataset are pure: no Telegram, nothing of the bot but each other.
- Each capability imports the core, the pure packages, and only the capabilities its one-way
  seams name (`ARROWS`). Nothing imports the composition root but the tools that start it.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STDLIB = set(sys.stdlib_module_names) | {"__future__"}
THIRD_PARTY_BY_LAYER = {
    "flows": {"pydantic", "yaml", "holidays"},
    "storage": {"sqlalchemy", "alembic"},
}
PURE = {"bot.charts", "bot.dataset"}
PURE_THIRD_PARTY = {"matplotlib", "numpy", "pydantic", "openpyxl", "babel", "flows"}
"""All the pure packages may use besides the standard library: no Telegram, no database."""
CORE = "bot.core"
ARROWS: dict[str, set[str]] = {
    "bot.basics": set(),
    "bot.data": set(),
    "bot.follow_up": set(),
    "bot.meeting": set(),
    "bot.preparation": {"bot.data", "bot.follow_up"},
    "bot.agreement": {"bot.meeting", "bot.follow_up"},
    "bot.privacy": set(),
}
"""Capability -> the capabilities it may call (its one-way seams, see the README)."""
ROOT_USERS = {"bot.cli", "bot.demo", "bot.fakeapi"}
"""Only these start the whole bot, so only they may import the composition root."""


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every absolute module a file imports, at any depth (lazy imports count too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _package(name: str, packages: set[str]) -> str | None:
    return next((p for p in packages if _within(name, p)), None)


def violations(root: Path) -> list[str]:
    """Each broken rule as "<module> imports <name>: <rule>"."""
    found = []
    capabilities = set(ARROWS)
    for path in sorted(root.rglob("*.py")):
        if path.relative_to(root).parts[0] not in ("bot", "flows", "storage"):
            continue
        module = module_name(path, root)
        top = module.split(".")[0]
        for name in sorted(imports_of(path)):
            first = name.split(".")[0]
            rule = _broken_rule(module, top, name, first, capabilities)
            if rule:
                found.append(f"{module} imports {name}: {rule}")
    return found


def _broken_rule(module: str, top: str, name: str, first: str, capabilities: set[str]) -> str:
    if first in STDLIB:
        return ""
    if top in THIRD_PARTY_BY_LAYER:
        allowed = THIRD_PARTY_BY_LAYER[top] | {top} | ({"flows"} if top == "storage" else set())
        return "" if first in allowed else f"{top}/ may not import {first}"
    if first != "bot":
        if _package(module, PURE) and first not in PURE_THIRD_PARTY:
            return f"pure packages import no {first}"
        return ""
    if _within(name, "bot.app") and _package(module, ROOT_USERS) is None and module != "bot.app":
        return "only the tools that start the bot import the composition root"
    if _within(module, CORE):
        own = _within(name, CORE) or _within(name, "bot.settings")
        return "" if own else "the core imports no capability"
    if pure := _package(module, PURE):
        return "" if _package(name, PURE) else f"{pure} is pure: nothing of the bot"
    if capability := _package(module, capabilities):
        target = _package(name, capabilities)
        if target is None or target == capability or target in ARROWS[capability]:
            return "" if not _package(name, ROOT_USERS) else "capabilities use no tools"
        return f"{capability} has no seam to {target}"
    return ""


def test_every_module_keeps_the_import_rules():
    assert violations(ROOT) == []


def test_every_capability_package_is_in_the_rules():
    packages = {f"bot.{p.name}" for p in (ROOT / "bot").iterdir() if (p / "__init__.py").exists()}
    known = set(ARROWS) | PURE | ROOT_USERS | {CORE}
    assert packages - known == set(), "a new package needs a line in ARROWS (and the README)"


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for relative, source in files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    return tmp_path


def test_the_check_reports_each_kind_of_broken_rule(tmp_path):
    root = _tree(
        tmp_path,
        {
            "bot/core/runner.py": "from bot.meeting import phases\n",
            "bot/charts/draw.py": "import telegram\nfrom bot.core import render\n",
            "bot/meeting/phases.py": "from bot.agreement import writing\n",
            "bot/data/pack.py": "def late():\n    from bot.app import build_application\n",
            "bot/agreement/writing.py": "from bot.meeting.live import Live\n",
            "flows/engine.py": "from telegram import Bot\n",
            "storage/db.py": "from bot.core import services\n",
        },
    )
    found = violations(root)
    assert [line.split(":")[0] for line in found] == [
        "bot.charts.draw imports bot.core",
        "bot.charts.draw imports bot.core.render",
        "bot.charts.draw imports telegram",
        "bot.core.runner imports bot.meeting",
        "bot.core.runner imports bot.meeting.phases",
        "bot.data.pack imports bot.app",
        "bot.data.pack imports bot.app.build_application",
        "bot.meeting.phases imports bot.agreement",
        "bot.meeting.phases imports bot.agreement.writing",
        "flows.engine imports telegram",
        "flows.engine imports telegram.Bot",
        "storage.db imports bot.core",
        "storage.db imports bot.core.services",
    ]
    assert not [line for line in found if line.startswith("bot.agreement.writing ")], (
        "a declared seam (agreement -> meeting) is allowed"
    )
