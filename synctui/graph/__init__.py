"""The Graph REST endpoint (`synctui serve --graph`): Graph's synchronization URLs over the service."""

from .app import graph_app
from .server import GraphAddress, GraphServer, Tls, check_exposure, parse_address
from .token import graph_token, rotate_token, token_path

__all__ = [
    "GraphAddress",
    "GraphServer",
    "Tls",
    "check_exposure",
    "graph_app",
    "graph_token",
    "parse_address",
    "rotate_token",
    "token_path",
]
