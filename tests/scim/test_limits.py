"""A SCIM endpoint that answers slowly, endlessly or hugely: each request ends by its deadline,
no answer is read past the size cap, and a stop ends the requests under way."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from synctui.bootstrap import open_service
from synctui.clock import FrozenClock
from synctui.connectors.base import ConnectionFailure, Interrupted
from synctui.connectors.scim import ScimDirectory
from synctui.models import SynchronizationStatusCode as Code
from synctui.store import Home

HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\n"


class RawServer:
    """A loopback HTTP server that answers each request with `answer(server, connection)`: for the
    answers scim2-server never gives. `answering` is set once an answer has begun."""

    def __init__(self, answer: Callable[[RawServer, socket.socket], None]) -> None:
        self._answer = answer
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.base_address = f"http://127.0.0.1:{self._listener.getsockname()[1]}/v2"
        self.stopping = threading.Event()
        self.answering = threading.Event()
        self.sent = 0
        self._threads = [threading.Thread(target=self._serve, daemon=True)]
        self._threads[0].start()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            thread = threading.Thread(target=self._handle, args=(connection,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _handle(self, connection: socket.socket) -> None:
        with connection:
            request = b""
            while b"\r\n\r\n" not in request:
                request += connection.recv(4096)
            with contextlib.suppress(OSError):  # the client gave up
                self._answer(self, connection)

    def stop(self) -> None:
        self.stopping.set()
        for thread in self._threads:
            thread.join()
        self._listener.close()


def drip(server: RawServer, connection: socket.socket) -> None:
    """Headers at once, then a byte of the body every 0.2 seconds, for ever."""
    connection.sendall(HEAD + b"Content-Length: 100000\r\n\r\n")
    server.answering.set()
    while not server.stopping.wait(0.2):
        connection.sendall(b" ")


def flood(server: RawServer, connection: socket.socket) -> None:
    """200 MB as fast as the client reads them, with no length announced."""
    connection.sendall(HEAD + b"Connection: close\r\n\r\n")
    chunk = b" " * 65536
    while server.sent < 200_000_000 and not server.stopping.is_set():
        connection.sendall(chunk)
        server.sent += len(chunk)


def keep_silent(server: RawServer, connection: socket.socket) -> None:
    """No answer at all, as a hung server gives."""
    server.answering.set()
    server.stopping.wait()


def announce_a_huge_body(server: RawServer, connection: socket.socket) -> None:
    connection.sendall(HEAD + b"Content-Length: 100000000\r\n\r\n")
    server.stopping.wait()


@contextmanager
def _ending(server: RawServer) -> Iterator[None]:
    """Whatever the test's outcome, the server's answers end before the pool waits for the request."""
    try:
        yield
    finally:
        server.stopping.set()


@pytest.fixture
def serve() -> Iterator[Callable[[Callable[[RawServer, socket.socket], None]], RawServer]]:
    servers: list[RawServer] = []

    def start(answer: Callable[[RawServer, socket.socket], None]) -> RawServer:
        servers.append(RawServer(answer))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def test_a_dripping_answer_ends_at_the_request_deadline(serve) -> None:
    server = serve(drip)
    directory = ScimDirectory(server.base_address, request_timeout=2)

    started = time.monotonic()
    with pytest.raises(ConnectionFailure) as error:
        directory.get("User", "someone")

    assert time.monotonic() - started < 15  # not the ~5.5 hours the whole body would take
    assert error.value.code == "Timeout"
    assert error.value.message == (
        f"the SCIM endpoint {server.base_address} (/Users/someone) did not answer completely within 2 seconds; "
        "if it is that slow, raise the job setting ScimRequestTimeoutSeconds"
    )
    directory.close()


def test_an_answer_past_the_size_cap_is_refused_and_not_read_on(serve) -> None:
    server = serve(flood)
    directory = ScimDirectory(server.base_address, max_response_bytes=1_000_000)

    with pytest.raises(ConnectionFailure) as error:
        directory.get("User", "someone")

    assert error.value.code == "ResponseTooLarge"
    assert error.value.message == (
        f"the SCIM endpoint {server.base_address} (/Users/someone) answered with more than 1000000 bytes; "
        "if its answers are that large, raise the job setting ScimMaxResponseBytes"
    )
    directory.close()
    server.stop()
    assert server.sent < 50_000_000  # the client stopped reading at the cap: the rest was never sent


def test_an_announced_length_past_the_cap_is_refused_before_reading(serve) -> None:
    server = serve(announce_a_huge_body)
    directory = ScimDirectory(server.base_address, max_response_bytes=1_000_000)

    with pytest.raises(ConnectionFailure, match="more than 1000000 bytes") as error:
        directory.get("User", "someone")

    assert error.value.code == "ResponseTooLarge"
    directory.close()


def test_a_stop_ends_a_request_under_way(serve) -> None:
    server = serve(drip)
    directory = ScimDirectory(server.base_address)  # the default deadline: a minute
    stop = threading.Event()
    directory.stop_when(stop.is_set)

    with ThreadPoolExecutor(1) as pool, _ending(server):
        request = pool.submit(directory.get, "User", "someone")
        assert server.answering.wait(10)
        stop.set()
        with pytest.raises(Interrupted, match="the cycle was asked to stop"):
            request.result(timeout=10)  # not the minute of the request deadline
    directory.close()


def test_pausing_a_job_ends_its_cycle_without_waiting_for_the_endpoint(serve, tmp_path: Path) -> None:
    server = serve(drip)
    service = open_service(Home(tmp_path / "home"), clock=FrozenClock(), seed=False)
    service.home.tenant_file.write_text(json.dumps({"users": [], "groups": []}))
    job = service.create_job("scim", secrets={"BaseAddress": server.base_address})
    service.start_job(job.id)

    with ThreadPoolExecutor(1) as pool, _ending(server):
        cycle = pool.submit(service.run_cycle, job.id)
        assert server.answering.wait(10)
        service.pause_job(job.id)
        execution = cycle.result(timeout=10)  # not the minute of the request deadline

    assert execution.error is None  # paused, not failed: nothing counts towards quarantine
    assert service.get_job(job.id).status.code == Code.Paused


def test_a_stop_ends_a_request_the_endpoint_never_answers(serve) -> None:
    server = serve(keep_silent)
    directory = ScimDirectory(server.base_address)  # each read waits up to 30 seconds
    stop = threading.Event()
    directory.stop_when(stop.is_set)

    with ThreadPoolExecutor(1) as pool, _ending(server):
        request = pool.submit(directory.get, "User", "someone")
        assert server.answering.wait(10)
        stop.set()
        with pytest.raises(Interrupted, match="the cycle was asked to stop"):
            request.result(timeout=10)
    directory.close()
