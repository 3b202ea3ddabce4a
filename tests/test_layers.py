"""The layers import one way only: textual stays in tui/, tinydb in store/ (design.md)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "synctui"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _modules_outside(folder: str) -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if folder not in p.relative_to(PACKAGE).parts]


def test_only_the_dashboard_imports_textual() -> None:
    offenders = [str(p.relative_to(PACKAGE)) for p in _modules_outside("tui") if "textual" in _imports(p)]
    assert offenders == []


def test_only_the_store_imports_tinydb() -> None:
    offenders = [str(p.relative_to(PACKAGE)) for p in _modules_outside("store") if "tinydb" in _imports(p)]
    assert offenders == []


def test_the_engine_knows_nothing_of_the_service_or_the_dashboard() -> None:
    for path in (PACKAGE / "engine").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "from ..service" not in source and "from ..tui" not in source and "from ..store" not in source, path
