"""Fetching over the network, defensively: http(s) only, a timeout, a size cap, a bounded number of redirects,
an optional host allowlist and a User-Agent naming the project. Failures come back as a reason, never raised.

Redirects are followed by hand (urllib's automatic following is switched off) so that every hop is checked
against the scheme and the allowlist, loops are recognised as loops, and the cap is exact.
"""

from __future__ import annotations

import http.client
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

USER_AGENT = "salvo/0.1 (Russia-Ukraine war news warehouse; python-urllib)"
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class FetchPolicy:
    timeout_s: float = 10.0  # per connection attempt and per read, and for the whole body
    max_bytes: int = 5_000_000  # body cap; larger responses are abandoned, not buffered
    max_redirects: int = 5
    allowed_hosts: tuple[str, ...] = ()  # empty: any host; else the host or a subdomain of one listed
    user_agent: str = USER_AGENT
    use_env_proxy: bool = True  # honour http(s)_proxy / no_proxy from the environment


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


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D401 - urllib hook
        return None  # surface 3xx as HTTPError; fetch() follows them itself


def _host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    if not allowed:
        return True
    host = host.lower().rstrip(".")
    return any(host == a.lower() or host.endswith("." + a.lower()) for a in allowed)


def _check_url(url: str, policy: FetchPolicy) -> str | None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return "unsupported_url_scheme"
    if not parts.hostname:
        return "invalid_url"
    if not _host_allowed(parts.hostname, policy.allowed_hosts):
        return "host_not_allowed"
    return None


def _opener(policy: FetchPolicy) -> urllib.request.OpenerDirector:
    handlers: list = [_NoRedirect()]
    if not policy.use_env_proxy:
        handlers.append(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener(*handlers)


def _read_capped(resp, policy: FetchPolicy, deadline: float) -> tuple[bytes | None, str | None]:
    length = resp.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > policy.max_bytes:
        return None, "response_too_large"
    buf = bytearray()
    while True:
        if time.monotonic() > deadline:
            return None, "fetch_timeout"
        # read1 returns as soon as some bytes arrive: read(n) would wait for all n, so a server dripping a
        # byte at a time would hold the fetch past its deadline (the socket timeout never fires)
        chunk = resp.read1(_CHUNK)
        if not chunk:
            return bytes(buf), None
        buf += chunk
        if len(buf) > policy.max_bytes:
            return None, "response_too_large"


def fetch(url: str, policy: FetchPolicy = FetchPolicy()) -> FetchResult:
    """GET `url` under `policy`; the outcome (body or error reason) is always returned, never raised."""
    opener = _opener(policy)
    seen: list[str] = []
    current = url
    deadline = time.monotonic() + policy.timeout_s * (policy.max_redirects + 2)
    while True:
        bad = _check_url(current, policy)
        if bad:
            return FetchResult(url, current, error=bad, redirects=seen)
        req = urllib.request.Request(current, headers={"User-Agent": policy.user_agent, "Accept": "*/*"})
        try:
            with opener.open(req, timeout=policy.timeout_s) as resp:
                body, err = _read_capped(resp, policy, min(deadline, time.monotonic() + policy.timeout_s))
                return FetchResult(
                    url,
                    current,
                    status=resp.status,
                    body=body,
                    content_type=resp.headers.get("Content-Type"),
                    error=err,
                    redirects=seen,
                )
        except urllib.error.HTTPError as exc:
            location = exc.headers.get("Location") if exc.headers else None
            exc.close()
            if exc.code in (301, 302, 303, 307, 308) and location:
                nxt = urllib.parse.urljoin(current, location)
                if nxt in seen or nxt == current:
                    return FetchResult(url, current, status=exc.code, error="redirect_loop", redirects=seen)
                seen.append(current)
                if len(seen) > policy.max_redirects:
                    return FetchResult(url, nxt, status=exc.code, error="too_many_redirects", redirects=seen)
                current = nxt
                continue
            return FetchResult(url, current, status=exc.code, error=f"http_{exc.code}", redirects=seen)
        except TimeoutError:
            return FetchResult(url, current, error="fetch_timeout", redirects=seen)
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, (TimeoutError, socket.timeout)):
                return FetchResult(url, current, error="fetch_timeout", redirects=seen)
            return FetchResult(url, current, error="fetch_failed", redirects=seen)
        except (http.client.HTTPException, OSError, ValueError):
            return FetchResult(url, current, error="fetch_failed", redirects=seen)
