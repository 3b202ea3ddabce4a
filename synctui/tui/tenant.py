"""Read the home's tenant directory file to let the user pick a source object by name."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DirectoryObject:
    id: str
    object_type: str  # "User" or "Group"
    display_name: str
    detail: str

    @property
    def label(self) -> str:
        return f"{self.display_name} · {self.object_type}"


def load_tenant(path: Path) -> list[DirectoryObject]:
    """Users and groups of a `{"users": [...], "groups": [...]}` file; [] if it is missing or unreadable."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    objects = []
    for key, object_type in (("users", "User"), ("groups", "Group")):
        for item in data.get(key, []) if isinstance(data, dict) else []:
            if not isinstance(item, dict) or not item.get("id"):
                continue
            name = item.get("displayName") or item.get("userPrincipalName") or item["id"]
            detail = item.get("userPrincipalName") or item.get("mailNickname") or item.get("mail") or ""
            objects.append(DirectoryObject(str(item["id"]), object_type, str(name), str(detail)))
    return objects


def search(objects: list[DirectoryObject], text: str, limit: int = 50) -> list[DirectoryObject]:
    text = text.strip().lower()
    if not text:
        return objects[:limit]
    hits = [o for o in objects if text in o.display_name.lower() or text in o.detail.lower() or text == o.id.lower()]
    return hits[:limit]
