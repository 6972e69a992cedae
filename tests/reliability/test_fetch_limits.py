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

# the server listens on 127.0.0.1, so the policy allows private addresses explicitly (refused by default)
POLICY = FetchPolicy(
    timeout_s=0.6, max_bytes=200_000, max_redirects=4, use_env_proxy=False, allow_private_addresses=True
)
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
        elif path == "/drip-status":  # the status line itself, a byte every 0.1 s: no read ever idles
            for byte in b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" * 50:
                if time.monotonic() > deadline:
                    break
                conn.sendall(bytes([byte]))
                time.sleep(0.1)
        elif path == "/drip-headers":  # a status line, then header after header, one every 0.1 s
            conn.sendall(b"HTTP/1.1 200 OK\r\n")
            n = 0
            while time.monotonic() < deadline:
                conn.sendall(f"X-Filler-{n}: {'z' * 20}\r\n".encode())
                n += 1
                time.sleep(0.1)
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
        ("/drip-status", "fetch_timeout"),
        ("/drip-headers", "fetch_timeout"),
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
    if path in ("/silent", "/drip", "/drip-status", "/drip-headers"):
        # one deadline for the whole fetch: connect, status line, headers and body
        assert elapsed < POLICY.timeout_s + SLACK_S, elapsed
    assert peak < POLICY.max_bytes + 4 * 65536 + 2_000_000, peak  # never buffers past the cap


def test_private_addresses_are_refused_unless_allowed(hostile_server: str) -> None:
    """Loopback, link-local and private addresses are not fetched by default (a feed must not make the
    pipeline read the internal network); the refusal comes before any connection, by name or by address."""
    port = hostile_server.rsplit(":", 1)[1]
    # the default: allow_private_addresses=False. A long timeout, so that a refusal (no connection: milliseconds)
    # and an address tried and timed out (5 s) stay far apart however slow the machine
    strict = FetchPolicy(timeout_s=5.0, use_env_proxy=False)
    for url in (
        f"http://127.0.0.1:{port}/ping",  # the live local server: it would answer
        f"http://localhost:{port}/ping",  # a name resolving to loopback
        f"http://[::1]:{port}/ping",
        f"http://[::ffff:127.0.0.1]:{port}/ping",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
        "http://10.1.2.3/", "http://192.168.0.1/", "http://172.16.5.4/", "http://100.64.0.1/", "http://0.0.0.0/",
    ):  # fmt: skip
        started = time.monotonic()
        result = fetch(url, strict)
        assert result.error == "address_not_allowed", (url, result)
        assert time.monotonic() - started < strict.timeout_s / 2, url  # refused, not tried and timed out
    # the same server with the explicit allow setting answers (a redirect loop)
    assert fetch(f"http://127.0.0.1:{port}/ping", POLICY).error == "redirect_loop"


def test_public_addresses_pass_the_address_rule() -> None:
    from pipelines.ingest.fetch import address_allowed

    assert address_allowed("93.184.215.14") and address_allowed("2606:2800:21f:cb07:6820:80da:af6b:8b2c")
    for bad in ("127.0.0.1", "10.0.0.1", "169.254.1.1", "fe80::1", "fc00::1", "::1", "224.0.0.1", "240.0.0.1"):
        assert not address_allowed(bad), bad
