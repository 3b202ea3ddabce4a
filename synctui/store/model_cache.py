"""Models validated in one process, kept for the next: a command validates the job it works on
(its record and its schema) through pydantic, whose validators are built anew in every process —
~35 ms of a command like `jobs provision` that then takes ~0.3 s in all. Each validated model is
kept pickled in the home's cache folder, named by a digest of the document it was validated from
and of the code that validated it, so a changed document, or another version of synctui or
pydantic, is validated again.

The cache is never the truth: TinyDB's documents are; a file missing, unreadable or of another
type is validated again. Pickles run code when loaded, so only a folder that this user owns and
no one else may write is used (the home's folders are made so, see store/home.py).
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import orjson
import pydantic

from ..fileio import atomic_write

M = TypeVar("M")

KEPT = 64
"""Files the folder keeps; the oldest go when a new one would pass this."""


class ValidatedModels:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get(self, kind: type[M], document: Any, validate: Callable[[], M]) -> M:
        """The model `validate()` makes of `document`: kept from a process before, else made now
        and kept."""
        path = self.folder / f"{_digest(kind, document)}.pickle"
        if self._trusted():
            try:
                kept = pickle.loads(path.read_bytes())  # our own folder, see the docstring
            except Exception:  # noqa: BLE001 - a cache: anything wrong with it means validating again
                kept = None
            if isinstance(kept, kind):
                return kept
        model = validate()
        self._keep(path, model)
        return model

    def _trusted(self) -> bool:
        try:
            stat = self.folder.stat()
        except OSError:
            return False
        return stat.st_uid == os.getuid() and not stat.st_mode & 0o022

    def _keep(self, path: Path, model: object) -> None:
        try:
            self.folder.mkdir(mode=0o700, exist_ok=True)
            if not self._trusted():
                return
            kept = sorted(self.folder.glob("*.pickle"), key=lambda kept_path: kept_path.stat().st_mtime_ns)
            for old in kept[: max(0, len(kept) - KEPT + 1)]:
                old.unlink(missing_ok=True)
            kept_model = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
            atomic_write(path, kept_model, durable=False)  # a torn file fails to load, and is made again
        except Exception:  # noqa: BLE001 - a cache: a folder that cannot be written, or a model that
            return  # cannot be pickled, means validating again next time


def _digest(kind: type, document: Any) -> str:
    text = orjson.dumps([kind.__qualname__, document], option=orjson.OPT_SORT_KEYS)
    return hashlib.blake2b(_code() + text, digest_size=16).hexdigest()


@cache
def _code() -> bytes:
    """What validated a model: the versions of pydantic and synctui, and the models' source files
    as they are (a development checkout changes them without a new version)."""
    from .. import __version__, models

    folder = Path(models.__file__).parent
    files = sorted((path.name, path.stat().st_size, path.stat().st_mtime_ns) for path in folder.glob("*.py"))
    return orjson.dumps([pydantic.VERSION, __version__, files])
