"""The Graph endpoint's bearer token: made at first use, kept owner-only in the home.

One token per home, like an app's client secret: every client of the endpoint sends it as
`Authorization: Bearer <token>`. `rotate` replaces it (the old one stops working at once for a
server started afterwards; a running server keeps the token it started with).
"""

from __future__ import annotations

import secrets
from pathlib import Path

from ..fileio import atomic_write
from ..service import StoreError

TOKEN_FILE = "graph-token"


def token_path(home_root: Path) -> Path:
    return home_root / TOKEN_FILE


def graph_token(home_root: Path) -> str:
    """The home's token, made now if it has none."""
    path = token_path(home_root)
    try:
        token = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return rotate_token(home_root)
    except (OSError, UnicodeDecodeError) as error:
        raise StoreError(
            f"{path}: the Graph endpoint's token cannot be read ({error}); "
            "make a new one with `synctui graph token --rotate`"
        ) from None
    if not token:
        raise StoreError(f"{path} is empty; make a new token with `synctui graph token --rotate`")
    return token


def rotate_token(home_root: Path) -> str:
    """A new random token, replacing the old one."""
    token = secrets.token_urlsafe(32)
    atomic_write(token_path(home_root), token.encode("ascii") + b"\n")
    return token
