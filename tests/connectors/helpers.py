"""Data and file helpers for the directory tests."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson

REPOSITORY = Path(__file__).resolve().parents[2]

DirectoryFactory = Callable[..., Any]
"""`make(definition=None)`: a new directory of one kind holding `users()` and `groups()`."""


def users() -> list[dict[str, Any]]:
    return [
        {
            "id": "u1",
            "userPrincipalName": "Ada.Lovelace@contoso.example",
            "displayName": "Ada Lovelace",
            "department": "Research",
            "employeeId": "E1",
            "accountEnabled": True,
            "manager": None,
            "proxyAddresses": ["SMTP:Ada.Lovelace@contoso.example", "smtp:ada@contosopharma.example"],
        },
        {
            "id": "u2",
            "userPrincipalName": "emile.zola@contoso.example",
            "displayName": "Émile Zola",
            "department": "research",
            "employeeId": "e2",
            "accountEnabled": True,
            "manager": "u1",
        },
        {
            "id": "u3",
            "userPrincipalName": "grace.hopper@contoso.example",
            "displayName": "Grace Hopper",
            "department": "IT",
            "employeeId": "E3",
            "accountEnabled": False,
            "manager": "u1",
        },
    ]


def groups() -> list[dict[str, Any]]:
    return [{"id": "g1", "displayName": "Research", "mailNickname": "research", "members": ["u1", "u2"]}]


def write_json(path: Path, document: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))


def read_json(path: Path) -> Any:
    return orjson.loads(path.read_bytes())


def load_script(relative_path: str) -> ModuleType:
    """A repository script (not in a package) as a module."""
    path = REPOSITORY / relative_path
    name = "script_" + relative_path.removesuffix(".py").replace("/", "_")
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while the script runs
        spec.loader.exec_module(module)
    return sys.modules[name]
