"""One HTTP policy for every API connector, on httpx.

One client per sync; a timeout on every call; a client-side rate limit (a sliding window of
N requests per 10 s, the unit both HubSpot and Salesforce speak) and, where a vendor's `pace`
hook reads the server's own window from its answers, that window too; bounded exponential
backoff with jitter for 5xx, timeouts, dropped connections and 429s. Every attempt, retries
included, passes the limiters, so a burst of errors slows a sync down but never pushes it
past the rate. The retry budget outlasts a short outage: eight retries whose waits add up
to at least 45 s (at most about 90 s). A host that never answered at all is a wrong URL or no
network, not an outage: that fails after one quick retry. Each vendor decides what a
response means through a `classify` hook, because "stop now" differs: Salesforce's 403
REQUEST_LIMIT_EXCEEDED and HubSpot's DAILY 429 must never be retried.

Plain http is allowed only to loopback (tests, local proxies): a literal 127.0.0.0/8 or ::1
address, or `localhost` (and `*.localhost`) when every address the name resolves to is
loopback. The name is resolved once, when the client is made, and the client then connects to
that address (with the name in the Host header), so a resolver cannot answer "loopback" to
the check and somewhere else to the connection. Anything else must be https with certificate
verification on.

Every message built here from an answer (retry reasons, error details) passes through
`secrets.redact`: a server may echo the token back.
"""

from __future__ import annotations

import ipaddress
import random
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from chaser import __version__
from chaser.connectors.base import Cancel, ConnectorError
from chaser.connectors.ratelimit import (  # noqa: F401 - re-exported for the connectors
    HEADROOM,
    UNLIMITED,
    Allowance,
    Pace,
    RateLimiter,
)
from chaser.errors import ChaserError
from chaser.secrets import redact

USER_AGENT = f"chaser/{__version__}"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
FIRST_CONTACT_RETRIES = 1  # retries of a connection that never reached the host at all


def _literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def is_loopback(host: str) -> bool:
    """A literal loopback address, or a name that should be one (`localhost`, `*.localhost`,
    RFC 6761). Only the first is proof: a name must pass `resolve_loopback` before plain
    http goes to it."""
    address = _literal(host)
    if address is not None:
        return address.is_loopback
    host = host.lower().rstrip(".")
    return host == "localhost" or host.endswith(".localhost")


def resolve_loopback(host: str, port: int | None) -> str:
    """The loopback address to connect to for a plain-http `host`: the literal itself, or the
    first address `host` resolves to when every one of them is loopback. Raises ChaserError
    otherwise: the bearer token would travel in clear to wherever the resolver points."""
    address = _literal(host)
    if address is not None:
        if not address.is_loopback:
            raise ChaserError(f"plain http to {host} refused: not a loopback address; use https://")
        return str(address)
    if not is_loopback(host):
        raise ChaserError(f"plain http to {host} refused: only to localhost; use https://")
    try:
        found = socket.getaddrinfo(host, port or 80, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):  # gaierror, or a resolver that fails otherwise
        raise ChaserError(f"plain http to {host} refused: the name does not resolve") from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]
    elsewhere = sorted({str(a) for a in addresses if not a.is_loopback})
    if not addresses or elsewhere:
        raise ChaserError(f"plain http to {host} refused: it resolves to "
                          f"{', '.join(elsewhere) or 'nothing'}, not loopback; use https://")
    return str(addresses[0])


def check_url(url: str, what: str = "URL") -> str:
    """Refuse anything but https, except plain http to a loopback host (a name is resolved
    later, by `Http`: a config check does no network). Returns the URL without a trailing
    slash."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ChaserError(f"{what} {url!r} is not an http(s) URL")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ChaserError(f"{what} {url!r} must use https:// (plain http only for 127.0.0.1, "
                          "::1 or localhost)")
    if parts.username or parts.password:
        raise ChaserError(f"{what} must not contain credentials; chaser keeps them in the keyring")
    return url.strip().rstrip("/")


def _pinned(url: str) -> tuple[str, dict[str, str]]:
    """(URL to connect to, extra headers): for plain http to a name, the URL names the
    checked loopback address and the Host header keeps the name; https is left alone (TLS
    checks the name against the certificate)."""
    parts = urlsplit(url)
    if parts.scheme != "http":
        return url, {}
    address = resolve_loopback(parts.hostname or "", parts.port)
    if _literal(parts.hostname or "") is not None:
        return url, {}
    host = f"[{address}]" if ":" in address else address
    netloc = f"{host}:{parts.port}" if parts.port else host
    return parts._replace(netloc=netloc).geturl(), {"Host": parts.netloc}


# classify(response) -> None when the response is usable, a Retry(after) to try again, or
# raise a ConnectorError to stop.
@dataclass(frozen=True, slots=True)
class Retry:
    after: float | None = None  # seconds the server asked for, if any
    reason: str = ""


Classify = Callable[[httpx.Response], "Retry | None"]


def default_classify(response: httpx.Response) -> Retry | None:
    if response.status_code in RETRY_STATUSES:
        return Retry(_retry_after(response), f"HTTP {response.status_code}")
    return None


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: rare for these APIs; our own backoff will do


# The one test and benchmark seam: Http(...) keywords (sleep, clock, seed, backoff_base, ...)
# laid over every client a sync or a connection test makes, so tests run the real retry and
# pacing policy on a faster clock. Always empty in use.
TEST_OPTIONS: dict = {}


def client_options(**options) -> dict:
    """A connector's Http keywords with the test seam laid over them."""
    return {**options, **TEST_OPTIONS}


class Http:
    """A client bound to one base URL, for one sync. Counts the requests it sends."""

    def __init__(self, base_url: str, *, headers: dict[str, str] | None = None,
                 rate_per_10s: int = 100, max_retries: int = 8, timeout: float = 30.0,
                 backoff_base: float = 0.5, backoff_max: float = 30.0,
                 cancel: Cancel | None = None, transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic, seed: int | None = None,
                 pace: Pace | None = None) -> None:
        self.base_url = check_url(base_url)
        self.max_retries = max_retries
        self.backoff_base, self.backoff_max = backoff_base, backoff_max
        self.cancel = cancel or Cancel()
        self.sleep = sleep
        self.limiter = RateLimiter(rate_per_10s, clock, sleep)
        # The server's own window, as its answers tell it through `pace` (see pace_by);
        # unlimited until one does.
        self.server_limiter = RateLimiter(UNLIMITED, clock, sleep)
        self.pace = pace
        self.requests = 0  # every request sent, retries included: the customer's allowance
        self.retries = 0
        self.answered = False  # has the host answered at all? Until then, unreachable = wrong URL
        self._random = random.Random(seed)
        connect_url, pin = _pinned(self.base_url)
        self.client = httpx.Client(
            base_url=connect_url,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json", **pin,
                     **(headers or {})},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            verify=True,
            follow_redirects=False,  # a redirect could carry the bearer token elsewhere
            transport=transport,
        )

    def set_header(self, name: str, value: str) -> None:
        self.client.headers[name] = value

    def pace_by(self, pace: Pace) -> None:
        """Read every answer with `pace` and keep to the window the server reports, on top
        of the configured rate: the vendor's hook, so this client stays generic."""
        self.pace = pace

    def backoff(self, attempt: int, hint: float | None) -> float:
        """"Equal" jitter: uniform in [c/2, c] with c = min(max, base * 2^attempt), never below
        the server's own Retry-After hint. Half of each wait is certain, so the retries of one
        request span a known minimum (with the defaults 45 s: an outage shorter than that is
        survived whatever the dice say), and the other half spreads clients apart."""
        ceiling = min(self.backoff_max, self.backoff_base * (2 ** attempt))
        delay = self._random.uniform(ceiling / 2, ceiling)
        return max(delay, hint or 0.0)

    def request(self, method: str, url: str, *, what: str, classify: Classify = default_classify,
                limiter: RateLimiter | None = None, **kwargs) -> httpx.Response:
        """Send with rate limit, retries and backoff. `what` names the object and page for
        error messages ("Opportunity page 3"). `limiter` is an extra, endpoint-specific limit
        (HubSpot's search: 4/s) honoured on every attempt, retries included. Returns the first
        usable response."""
        attempt = 0
        while True:
            self.cancel.check()
            check = self.cancel.check
            if limiter is not None:
                limiter.wait(check)
            self.limiter.wait(check)
            self.server_limiter.wait(check)
            self.requests += 1
            try:
                response = self.client.request(method, url, **kwargs)
            except (httpx.TimeoutException, httpx.TransportError, httpx.DecodingError) as e:
                # DecodingError: a body that does not match its Content-Encoding, garbled on
                # the way like a dropped connection; a retry, never a traceback.
                self._finished(limiter)
                if not self.answered and attempt >= FIRST_CONTACT_RETRIES \
                        and isinstance(e, httpx.ConnectError | httpx.ConnectTimeout):
                    # Never reached the host: a wrong URL or no network, not an outage to
                    # sit out for a minute. One quick retry, then say so.
                    host = urlsplit(self.base_url).netloc
                    raise ConnectorError(f"{what}: cannot connect to {host} "
                                         f"({_connect_reason(e)}); check the URL in the config "
                                         "and the network") from None
                verdict = Retry(None, _transport_reason(e))
            else:
                self._finished(limiter)
                self.answered = True
                self._observe(response)
                verdict = classify(response)
                if verdict is None:
                    return response
            if attempt >= self.max_retries:
                raise ConnectorError(redact(f"{what}: gave up after {attempt + 1} attempts "
                                            f"({verdict.reason})"))
            self.retries += 1
            self._pause(self.backoff(attempt, verdict.after))
            attempt += 1

    def _finished(self, limiter: RateLimiter | None) -> None:
        self.limiter.finished()
        self.server_limiter.finished()
        if limiter is not None:
            limiter.finished()

    def _observe(self, response: httpx.Response) -> None:
        """Every answer, 429s included (they say the window is full), feeds the pacing."""
        told = self.pace(response) if self.pace is not None else None
        if told is not None:
            self.server_limiter.observe(told)

    def _pause(self, seconds: float) -> None:
        """Sleep in small steps so a cancel is honoured during a long backoff."""
        left = seconds
        while left > 0:
            self.cancel.check()
            step = min(left, 0.25)
            self.sleep(step)
            left -= step
        self.cancel.check()

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Http:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _connect_reason(e: Exception) -> str:
    """What stopped a connection, from the exception chain's types (never its text)."""
    seen, cause = 0, e
    while cause is not None and seen < 10:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return "its TLS certificate is not trusted"
        if isinstance(cause, ssl.SSLError):
            return "TLS handshake failed"
        if isinstance(cause, socket.gaierror):
            return "host name not found"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        cause, seen = cause.__cause__ or cause.__context__, seen + 1
    if isinstance(e, httpx.ConnectTimeout):
        return "timed out"
    return f"connection failed: {type(e).__name__}"


def _transport_reason(e: Exception) -> str:
    # Never the exception's text: some transports echo the request (and its headers) into it.
    if isinstance(e, httpx.TimeoutException):
        return "timed out"
    return f"connection failed ({type(e).__name__})"


def usage_line(usage: tuple[int, int]) -> str:
    """ "API usage: 1,028 / 15,000 (7%)" from (calls used today, daily allowance)."""
    used, allowed = usage
    pct = 100 * used / allowed if allowed else 0
    return f"API usage: {used:,} / {allowed:,} ({pct:.0f}%)"


def usage_notes(usage: tuple[int, int] | None) -> list[str]:
    """The usage line, and a warning above 80 % of the daily allowance: other integrations
    share it and start failing when it runs out."""
    if not usage:
        return []
    used, allowed = usage
    out = [usage_line(usage)]
    if allowed and used > 0.8 * allowed:
        out.append(f"warning: over 80% of the daily API allowance is used ({used:,} of "
                   f"{allowed:,}); other integrations may start failing")
    return out


def error_detail(response: httpx.Response, limit: int = 200) -> str:
    """A short, secret-free description of an error response for messages: scrubbed before it
    is cut, so a cut never leaves half a token."""
    text = redact(" ".join(response.text.split()))
    return f"HTTP {response.status_code}: {text[:limit]}" if text else f"HTTP {response.status_code}"
