"""Serving the Graph app: where it listens, and uvicorn on a thread of the calling process.

The server shares the process (and so the service, its locks and its events) with the scheduler
or the dashboard. It binds its socket before it returns, so a port in use is reported at once and
a client may connect as soon as `start` returns.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from ..errors import InvalidRequest
from ..network import is_loopback
from ..service import SyncService
from .app import graph_app

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8770


@dataclass(frozen=True)
class GraphAddress:
    host: str
    port: int

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)


def parse_address(text: str | None) -> GraphAddress:
    """`[HOST:]PORT` (an IPv6 host in brackets: `[::1]:8770`); empty = 127.0.0.1:8770."""
    if not text:
        return GraphAddress(DEFAULT_HOST, DEFAULT_PORT)
    host, colon, port_text = text.rpartition(":")
    if not colon:
        host, port_text = DEFAULT_HOST, text
    host = host.strip("[]") or DEFAULT_HOST
    if not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise InvalidRequest(f"--graph {text!r}: the port must be a number from 0 to 65535, like 127.0.0.1:8770")
    return GraphAddress(host, int(port_text))


@dataclass(frozen=True)
class Tls:
    cert: Path
    key: Path


def check_exposure(address: GraphAddress, *, allow_remote: bool, tls: Tls | None) -> None:
    """The endpoint listens on loopback only, unless the user asks for more and encrypts it: the
    token would otherwise cross the network in clear text."""
    if address.loopback:
        return
    if not allow_remote:
        raise InvalidRequest(
            f"--graph {address.host}: the Graph endpoint listens on loopback only (127.0.0.1, ::1); "
            "to serve other machines add --allow-remote with --tls-cert FILE --tls-key FILE"
        )
    if tls is None:
        raise InvalidRequest(
            "--allow-remote needs --tls-cert FILE and --tls-key FILE: the bearer token must not travel unencrypted"
        )


class GraphServer:
    """The Graph endpoint of `service`, on a daemon thread until `stop`."""

    def __init__(self, service: SyncService, token: str, address: GraphAddress, *, tls: Tls | None = None) -> None:
        family = socket.AF_INET6 if ":" in address.host else socket.AF_INET
        # IPPROTO_TCP named: asyncio sets TCP_NODELAY on the connections only of a socket that says
        # it is TCP; without it a keep-alive client waits out a 40 ms delayed ACK on every request.
        self._socket = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._socket.bind((address.host, address.port))
        except OSError as error:
            self._socket.close()
            raise InvalidRequest(
                f"--graph {address.host}:{address.port}: cannot listen there ({error.strerror}); choose another port"
            ) from None
        self._socket.listen(128)
        self.address = GraphAddress(address.host, self._socket.getsockname()[1])
        self.tls = tls
        config = uvicorn.Config(
            graph_app(service, token),
            # uvicorn's own handlers would print to the terminal the dashboard draws on: its records
            # go to synctui's loggers like every other module's, and a client's malformed request
            # (a warning) is answered with 400, not reported.
            log_config=None,
            log_level="error",
            access_log=False,
            lifespan="off",
            ssl_certfile=str(tls.cert) if tls else None,
            ssl_keyfile=str(tls.key) if tls else None,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._serve, name="synctui-graph", daemon=True)

    @property
    def url(self) -> str:
        """The base URL of Graph's v1.0 API here, e.g. http://127.0.0.1:8770/v1.0."""
        host = f"[{self.address.host}]" if ":" in self.address.host else self.address.host
        return f"{'https' if self.tls else 'http'}://{host}:{self.address.port}/v1.0"

    def start(self) -> GraphServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()

    def _serve(self) -> None:
        # Off the main thread uvicorn installs no signal handlers: Ctrl-C stays the program's.
        self._server.run(sockets=[self._socket])
