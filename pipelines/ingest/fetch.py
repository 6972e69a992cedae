"""Fetching over the network, defensively: http(s) only, one deadline for the whole fetch, a size cap, a bounded
number of redirects, an optional host allowlist, no loopback / link-local / private addresses unless allowed,
and a User-Agent naming the project. Failures come back as a reason, never raised.

- **One deadline** (`timeout_s`) covers everything a fetch does: name resolution, connect, TLS, the status
  line, the headers, the body and every redirect hop. Socket timeouts alone bound each read, not their sum (a
  server sending its status line a byte every half second never trips them), so a watchdog shuts the
  connection down when the deadline passes, whatever the client is waiting for.
- **Addresses**: the host is resolved here, every address it resolves to is checked, and the connection goes
  to a checked address (a second lookup could answer differently). Loopback, link-local, private, shared,
  multicast, reserved and unspecified addresses are refused ("address_not_allowed") unless
  `allow_private_addresses` (SALVO_FETCH_ALLOW_PRIVATE=1). Through an environment proxy the proxy connects;
  the target's addresses are still checked where this machine can resolve them.
- **Redirects** are followed by hand, so that every hop is checked against the scheme, the allowlist and the
  address rule, loops are recognised as loops, and the cap is exact.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from pipelines import settings

USER_AGENT = "salvo/0.1 (Russia-Ukraine war news warehouse; python http.client)"
_CHUNK = 64 * 1024
_REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class FetchPolicy:
    """How feeds and pages are fetched; the defaults are pipelines/settings.py's (SALVO_FETCH_*)."""

    # the whole fetch: resolve, connect, TLS, status line, headers, body, redirects
    timeout_s: float = settings.DEFAULT_FETCH_TIMEOUT_S
    # body cap; larger responses are abandoned, not buffered
    max_bytes: int = settings.DEFAULT_FETCH_MAX_BYTES
    max_redirects: int = settings.DEFAULT_FETCH_MAX_REDIRECTS
    allowed_hosts: tuple[str, ...] = ()  # empty: any host; else the host or a subdomain of one listed
    user_agent: str = USER_AGENT
    use_env_proxy: bool = True  # honour http(s)_proxy / no_proxy from the environment
    allow_private_addresses: bool = False  # loopback, link-local, private ranges: refused unless True


@dataclass(frozen=True)
class FetchResult:
    url: str  # as asked
    final_url: str | None = None  # after redirects
    status: int | None = None
    body: bytes | None = None
    content_type: str | None = None
    error: str | None = None  # a quarantine reason: fetch_timeout, http_404, redirect_loop, ...
    redirects: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None and self.body is not None


class _Refused(Exception):
    """A hop that must not be made; args[0] is the quarantine reason."""


class _Watchdog:
    """Shuts the current connection down when the deadline passes: a blocked connect, TLS handshake, status
    line, header or body read then returns at once (the shutdown acts on the socket, so a duplicate of its
    descriptor reaches it even after TLS wrapped the original)."""

    def __init__(self, deadline: float):
        self.deadline = deadline
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self.fired = False
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0 or self.fired:
            raise TimeoutError("fetch deadline passed")
        return left

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._release()
            self._sock = sock.dup()
            if self.fired:
                self._shutdown()

    def _shutdown(self) -> None:
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            self._shutdown()

    def _release(self) -> None:
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.close()
            self._sock = None

    def close(self) -> None:
        self._timer.cancel()
        with self._lock:
            self._release()


def _host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    if not allowed:
        return True
    host = host.lower().rstrip(".")
    return any(host == a.lower() or host.endswith("." + a.lower()) for a in allowed)


def address_allowed(address: str) -> bool:
    """Whether an IP address is a public unicast address (IPv4-mapped IPv6 addresses judged as their IPv4)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_multicast or ip.is_loopback or ip.is_link_local or ip.is_private or ip.is_reserved
    )


def _check_url(url: str, policy: FetchPolicy) -> str | None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return "unsupported_url_scheme"
    try:
        host, _ = parts.hostname, parts.port
    except ValueError:  # a port that is not a number
        return "invalid_url"
    if not host:
        return "invalid_url"
    if not _host_allowed(host, policy.allowed_hosts):
        return "host_not_allowed"
    return None


def _resolve(host: str, port: int, dog: _Watchdog) -> list[str]:
    """The addresses of `host`, within the deadline (getaddrinfo itself cannot be interrupted: it runs in a
    thread that is abandoned when the deadline passes)."""
    with contextlib.suppress(ValueError):
        return [str(ipaddress.ip_address(host))]  # an address literal: nothing to look up
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:
        future = pool.submit(socket.getaddrinfo, host, port, 0, socket.SOCK_STREAM)
        try:
            infos = future.result(timeout=dog.remaining())
        except concurrent.futures.TimeoutError as exc:
            raise TimeoutError("name resolution did not finish in time") from exc
    finally:
        pool.shutdown(wait=False)
    return list(dict.fromkeys(info[4][0] for info in infos))


def _proxy_for(scheme: str, host: str, policy: FetchPolicy) -> tuple[str, int] | None:
    if not policy.use_env_proxy:
        return None
    proxy = urllib.request.getproxies().get(scheme)
    if not proxy or urllib.request.proxy_bypass(host):
        return None
    parts = urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    return (parts.hostname or "", parts.port or 80) if parts.hostname else None


def _open(url: str, policy: FetchPolicy, dog: _Watchdog) -> http.client.HTTPConnection:
    """A connection for one hop, the request sent; raises _Refused for an address that must not be reached."""
    parts = urllib.parse.urlsplit(url)
    scheme, host = parts.scheme.lower(), parts.hostname or ""
    port = parts.port or (443 if scheme == "https" else 80)
    proxy = _proxy_for(scheme, host, policy)
    try:
        addresses = _resolve(host, port, dog)
    except socket.gaierror:
        if proxy is None:
            raise
        addresses = []  # the proxy resolves names this machine cannot
    if not policy.allow_private_addresses and not all(address_allowed(a) for a in addresses):
        raise _Refused("address_not_allowed")
    if proxy is None:
        connect_to = (addresses[0], port)
    else:
        connect_to = proxy

    def create_connection(_address, timeout=None, source_address=None):
        sock = socket.create_connection(connect_to, min(dog.remaining(), policy.timeout_s), source_address)
        dog.watch(sock)
        return sock

    timeout = dog.remaining()
    conn: http.client.HTTPConnection
    conn_host, conn_port = (host, port) if proxy is None else proxy
    if scheme == "https":
        conn = http.client.HTTPSConnection(
            conn_host, conn_port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        conn = http.client.HTTPConnection(conn_host, conn_port, timeout=timeout)
    conn._create_connection = create_connection  # type: ignore[attr-defined] - connect to the checked address
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    if proxy is not None and scheme == "https":
        conn.set_tunnel(host, port)
    elif proxy is not None:
        target = urllib.parse.urlunsplit((scheme, parts.netloc, parts.path or "/", parts.query, ""))
    netloc_host = parts.netloc.rsplit("@", 1)[-1]
    conn.request(
        "GET",
        target,
        headers={"Host": netloc_host, "User-Agent": policy.user_agent, "Accept": "*/*", "Connection": "close"},
    )
    return conn


def _read_capped(
    resp: http.client.HTTPResponse, policy: FetchPolicy, dog: _Watchdog
) -> tuple[bytes | None, str | None]:
    length = resp.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > policy.max_bytes:
        return None, "response_too_large"
    buf = bytearray()
    while True:
        dog.remaining()  # raises once the deadline has passed
        # read1 returns as soon as some bytes arrive: read(n) would wait for all n
        chunk = resp.read1(_CHUNK)
        if not chunk:
            if dog.fired:
                raise TimeoutError("fetch deadline passed")
            return bytes(buf), None
        buf += chunk
        if len(buf) > policy.max_bytes:
            return None, "response_too_large"


def fetch(url: str, policy: FetchPolicy = FetchPolicy()) -> FetchResult:
    """GET `url` under `policy`; the outcome (body or error reason) is always returned, never raised."""
    seen: list[str] = []
    current = url
    dog = _Watchdog(time.monotonic() + policy.timeout_s)
    try:
        while True:
            bad = _check_url(current, policy)
            if bad:
                return FetchResult(url, current, error=bad, redirects=seen)
            conn = None
            try:
                conn = _open(current, policy, dog)
                resp = conn.getresponse()
                status = resp.status
                if status in _REDIRECTS and resp.headers.get("Location"):
                    nxt = urllib.parse.urljoin(current, resp.headers["Location"])
                    if nxt in seen or nxt == current:
                        return FetchResult(url, current, status=status, error="redirect_loop", redirects=seen)
                    seen.append(current)
                    if len(seen) > policy.max_redirects:
                        return FetchResult(url, nxt, status=status, error="too_many_redirects", redirects=seen)
                    current = nxt
                    continue
                if status >= 300:
                    return FetchResult(url, current, status=status, error=f"http_{status}", redirects=seen)
                body, err = _read_capped(resp, policy, dog)
                return FetchResult(
                    url,
                    current,
                    status=status,
                    body=body,
                    content_type=resp.headers.get("Content-Type"),
                    error=err,
                    redirects=seen,
                )
            except _Refused as refused:
                return FetchResult(url, current, error=refused.args[0], redirects=seen)
            except (http.client.HTTPException, OSError, ValueError) as exc:
                late = dog.fired or time.monotonic() >= dog.deadline
                reason = "fetch_timeout" if late or isinstance(exc, TimeoutError) else "fetch_failed"
                return FetchResult(url, current, error=reason, redirects=seen)
            finally:
                if conn is not None:
                    conn.close()
    finally:
        dog.close()
