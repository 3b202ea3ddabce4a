"""Opening the home's files: never through a symbolic link, and any failure a one-line StoreError.

Every file under the home is synctui's own, so a link in its place was put there by someone
else: followed, a lock would truncate the file it points to and a checkpoint append to it. Files
are opened with O_NOFOLLOW and a link is refused, naming it. (Atomic writes need no such care:
renaming over a link replaces the link, not the file it points to.)
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from ..fileio import OWNER_ONLY
from .errors import StoreError


def open_file(path: Path, flags: int, *, what: str = "") -> int:
    """`os.open` of `path` (created owner-only) that does not follow a link there. A missing file
    raises FileNotFoundError; any other failure a StoreError naming the file and the fix."""
    try:
        return os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC, OWNER_ONLY)
    except FileNotFoundError:
        raise
    except OSError as error:
        raise file_error(path, error, writing=bool(flags & (os.O_WRONLY | os.O_RDWR)), what=what) from None


def opener(path: str, flags: int) -> int:
    """For `open(..., opener=opener)`: as `open_file`."""
    return open_file(Path(path), flags)


def read_file(path: Path, *, what: str = "") -> bytes:
    """The file's bytes, read as `open_file` opens it."""
    fd = open_file(path, os.O_RDONLY, what=what)
    try:
        with os.fdopen(fd, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise file_error(path, error, writing=False, what=what) from None


def file_error(path: Path, error: OSError, *, writing: bool, what: str = "") -> StoreError:
    name = f"{what} {path}" if what else str(path)
    if error.errno == errno.ELOOP and path.is_symlink():
        return StoreError(
            f"{name} is a symbolic link, which synctui does not follow (it could make synctui "
            f"write over the file it points to); remove the link (`rm {path}`)"
        )
    verb = "write" if writing else "read"
    if error.errno in (errno.EACCES, errno.EPERM):
        return StoreError(
            f"cannot {verb} {name}: {error.strerror}; make it yours to read and write "
            f"(`chmod u+rw {path}`, or ask the user who owns it)"
        )
    return StoreError(f"cannot {verb} {name}: {error.strerror}; check the disk and the folder's permissions")
