"""The layers import one way only (design.md): each import contract in pyproject.toml holds.

The contracts are import-linter's: the layers, textual only in tui/, tinydb only in store/, and no
import cycles. `lint-imports` checks the same contracts from the command line.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
CONTRACTS = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]


@pytest.mark.parametrize("contract", [contract["id"] for contract in CONTRACTS])
def test_the_import_contract_holds(contract: str) -> None:
    # On failure, the captured output names every import that breaks the contract.
    assert lint_imports(config_filename=str(PYPROJECT), limit_to_contracts=(contract,), no_cache=True) == 0
