"""Fetching holds its bounds against a hostile local server: one that never answers, one that drips a byte at
a time, one that streams forever, one that redirects forever. Each fetch ends within the timeout (plus a
little), reads at most the size cap (plus one chunk), and comes back as a reason, never an exception.

The server listens on 127.0.0.1 only, and every handler loop is bounded in time so it stops by itself.
"""

from __future__ import annotations

import socket
import threading
import time
import tracemalloc
from collections.abc import Iterator

import pytest

from pipelines.ingest.fetch import FetchPolicy, fetch

POLICY = FetchPolicy(timeout_s=0.6, max_bytes=200_000, max_redirects=4, use_env_proxy=False)
SLACK_S = 1.5  # scheduling noise on a busy 2-core machine
HANDLER_LIFETIME_S = 8.0  # every handler gives up by itself after this


def _handle(conn: socket.socket) -> None:
    conn.settimeout(HANDLER_LIFETIME_S)
    try:
        request = conn.recv(4096).decode("latin-1")
        path = request.split(" ", 2)[1] if " " in request else "/"
        deadline = time.monotonic() + HANDLER_LIFETIME_S
        if path == "/silent":  # accepts, reads the request, never answers
            while time.monotonic() < deadline and conn.recv(1):
                pass
        elif path == "/drip":  # headers, then one byte every 0.1 s: never finishes, never idles
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n")
            while time.monotonic() < deadline:
                conn.sendall(b"x")
                time.sleep(0.1)
        elif path == "/endless":  # as fast as it can, without a Content-Length
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n")
            chunk = b"y" * 65536
            while time.monotonic() < deadline:
                conn.sendall(chunk)
        elif path.startswith("/hop/"):  # a new URL every time: an endless redirect chain
            n = int(path.rsplit("/", 1)[1])
            conn.sendall(
                f"HTTP/1.1 302 Found\r\nLocation: /hop/{n + 1}\r\nContent-Length: 0\r\n\r\n".encode()
            )
        elif path in ("/ping", "/pong"):  # a two-step loop
            other = "/pong" if path == "/ping" else "/ping"
            conn.sendall(f"HTTP/1.1 302 Found\r\nLocation: {other}\r\nContent-Length: 0\r\n\r\n".encode())
        else:
            conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
    except OSError:
        pass  # the client hung up on purpose
    finally:
        conn.close()


@pytest.fixture(scope="module")
def hostile_server() -> Iterator[str]:
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    srv.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            threading.Thread(target=_handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=2)
        srv.close()


@pytest.mark.parametrize(
    "path,reason",
    [
        ("/silent", "fetch_timeout"),
        ("/drip", "fetch_timeout"),
        ("/endless", "response_too_large"),
        ("/hop/0", "too_many_redirects"),
        ("/ping", "redirect_loop"),
    ],
)
def test_fetch_stays_within_its_bounds(hostile_server: str, path: str, reason: str) -> None:
    tracemalloc.start()
    started = time.monotonic()
    result = fetch(hostile_server + path, POLICY)
    elapsed = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result.error == reason, result
    assert result.body is None  # nothing partial is handed on as an article
    assert elapsed < POLICY.timeout_s * (POLICY.max_redirects + 1) + SLACK_S, elapsed
    if path in ("/silent", "/drip"):
        assert elapsed < POLICY.timeout_s + SLACK_S, elapsed  # one deadline for the whole body
    assert peak < POLICY.max_bytes + 4 * 65536 + 2_000_000, peak  # never buffers past the cap
