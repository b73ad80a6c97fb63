"""Salesforce over the shared HTTP policy: sign-in, error meanings, REST query paging, COUNT()
and id sweeps, Bulk API 2.0 and the API-usage header. Knows nothing of rules, layouts or caches.

From the vendor's documents:
- Sign-in ("OAuth 2.0 Refresh Token Flow for Renewed Sessions", Salesforce Help): with refresh
  token rotation on, every refresh answers with a new `refresh_token` and the old one is
  invalidated, so it is stored in the keyring at once; the answer's `instance_url` is where the
  org's API lives, so API calls go there (and a difference from the config is reported).
- Limits ("API Request Limits and Allocations", Developer Limits and Allocations Quick
  Reference): 403 REQUEST_LIMIT_EXCEEDED is either the rolling 24-hour total ("TotalRequests
  Limit exceeded.") or more concurrent long-running requests than the org allows
  ("ConcurrentRequests (Concurrent API Requests) Limit exceeded."; Apex says
  "ConcurrentPerOrgLongTxn"). Only the first stops a sync; the second is backed off and retried.
- Bulk API 2.0 ("Understanding Bulk API 2.0 Query", "Abort a Query Job", "Delete a Query Job"):
  a job is deleted once its results are read; one that did not finish is aborted (allowed only
  while UploadComplete or InProgress) and then deleted (allowed once JobComplete, Aborted or
  Failed).

Secrets: the access token lives only in the client's Authorization header. Every secret is
registered with `secrets.redact` as soon as it is read or issued, and every message built from
a response goes through it; an error code is quoted only when it looks like one. Nothing here
builds a message from a request.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson

from chaser import secrets
from chaser.connectors.base import AuthError, Cancel, ConnectorError, LimitError
from chaser.connectors.http import (
    RETRY_STATUSES,
    Http,
    Retry,
    _retry_after,
    check_url,
    client_options,
)
from chaser.connectors.salesforce_bulk import BULK_MAX_WAIT, BULK_PAGE, BulkQueries  # noqa: F401
from chaser.connectors.salesforce_rows import Flattener, csv_rows, text  # noqa: F401 - re-exported
from chaser.errors import ChaserError
from chaser.secrets import redact

SOURCE = "salesforce"
AUTH_MODES = ("token", "refresh_token", "client_credentials")
_USAGE = re.compile(r"api-usage=(\d+)/(\d+)")
# A REST query cursor as Salesforce sends it: a path on the instance, no query string.
_NEXT = re.compile(r"/services/data/v\d+\.\d+/query(?:All)?/[A-Za-z0-9]+-\d+")
_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_.:-]{0,63}")  # what Salesforce's error codes look like
LIMIT = "REQUEST_LIMIT_EXCEEDED"
CONCURRENT = "HTTP 403 REQUEST_LIMIT_EXCEEDED: too many concurrent long-running requests in the org"


class _Expired(Exception):  # noqa: N818 - a signal inside this module, never shown
    """401 INVALID_SESSION_ID: the caller may refresh once."""


def errors_of(response: httpx.Response) -> list[tuple[str, str]]:
    """Salesforce's error list [{"errorCode","message"}] as (code, message) pairs, fit for a
    message: a code that does not look like one is dropped, and both are scrubbed of secrets
    before the message is cut (a cut must never leave half a token behind)."""
    try:
        body = response.json()
    except ValueError:
        return []
    if isinstance(body, dict):
        body = [body]
    out = []
    for e in body if isinstance(body, list) else ():
        if isinstance(e, dict):
            code = redact(str(e.get("errorCode") or e.get("error") or ""))
            msg = e.get("message") or e.get("error_description") or ""
            out.append((code if _CODE.fullmatch(code) else "",
                        redact(" ".join(str(msg).split()))[:300]))
    return out


class SalesforceApi(BulkQueries):
    """One signed-in client for one sync (or one connection test)."""

    def __init__(self, settings: Any, *, transport: httpx.BaseTransport | None = None,
                 cancel: Cancel | None = None, http_options: dict | None = None) -> None:
        self.settings = settings
        self.base = f"/services/data/v{settings.api_version}"
        opts = client_options(rate_per_10s=settings.rate_limit, timeout=settings.timeout,
                              transport=transport, cancel=cancel, **(http_options or {}))
        self._opts = opts
        self.http = Http(settings.instance_url, **opts)
        self._login: Http | None = None
        self._retired = [0, 0]  # requests, retries of instance clients replaced by `_adopt`
        self.usage: tuple[int, int] | None = None  # (used, daily allowance) from the last response
        self.token_source = ""  # "keyring" | "environment" | "oauth"
        self.refreshes = 0
        # Lines for the sync's notes (instance moved, a token that could not be stored, a job
        # left on the server): redacted, each once.
        self.notices: list[str] = []

    # ---- sign-in -------------------------------------------------------------------------
    def set_cancel(self, cancel: Cancel) -> None:
        self.http.cancel = cancel
        if self._login is not None:
            self._login.cancel = cancel

    @property
    def requests(self) -> int:
        return self.http.requests + self._retired[0] + (self._login.requests if self._login else 0)

    @property
    def retries(self) -> int:
        return self.http.retries + self._retired[1] + (self._login.retries if self._login else 0)

    @property
    def instance_url(self) -> str:
        """Where API calls go now: the configured URL, or the one sign-in named."""
        return self.http.base_url

    def _notice(self, line: str) -> None:
        line = redact(line)
        if line not in self.notices:
            self.notices.append(line)

    def authenticate(self) -> None:
        s = self.settings
        if s.auth == "token":
            token, where = secrets.get(SOURCE, "token")
            if not token:
                secrets.require(SOURCE, "token")  # raises the message that says what to do
            self.token_source = where
        else:
            token = self._oauth_token()
            self.token_source = "oauth"
        secrets.register(token)
        self.http.set_header("Authorization", f"Bearer {token}")

    def _oauth_token(self) -> str:
        s = self.settings
        data = {"grant_type": s.auth, "client_id": s.client_id or ""}
        if s.auth == "refresh_token":
            data["refresh_token"] = secrets.require(SOURCE, "refresh_token")
            client_secret, _ = secrets.get(SOURCE, "client_secret")
            if client_secret:
                data["client_secret"] = client_secret
        else:
            data["client_secret"] = secrets.require(SOURCE, "client_secret")
        if self._login is None:
            # A client of its own: the login host must never see the instance's bearer header.
            self._login = Http(s.login_url, **self._opts)
        response = self._login.request("POST", "/services/oauth2/token", what="Salesforce sign-in",
                                       classify=self._classify_login, data=data)
        try:
            body = response.json()
        except ValueError:
            body = None
        body = body if isinstance(body, dict) else {}
        token, rotated = body.get("access_token"), body.get("refresh_token")
        for value in (token, rotated):  # before anything can quote them
            if isinstance(value, str):
                secrets.register(value)
        if not isinstance(token, str) or not token:
            raise AuthError("Salesforce sign-in: the token endpoint answered without an "
                            "access_token")
        if s.auth == "refresh_token" and isinstance(rotated, str) and rotated \
                and rotated != data["refresh_token"]:
            self._keep_refresh_token(rotated)
        self._adopt(body.get("instance_url"))
        return token

    def _keep_refresh_token(self, value: str) -> None:
        """Rotation: the refresh token just used is dead from now on, so the new one goes to
        the keyring before anything else can fail."""
        try:
            secrets.put(SOURCE, "refresh_token", value)
        except ChaserError:
            self._notice("Salesforce issued a new refresh token (rotation) but the OS keyring "
                         "could not store it; the stored one no longer works: run `chaser "
                         "connect salesforce` before the next sync")

    def _adopt(self, named: Any) -> None:
        """Send API calls to the instance the token answer names, when it is one chaser may
        talk to (https, or plain http to loopback); report when it is not the configured one."""
        if not isinstance(named, str) or not named.strip():
            return
        configured = self.settings.instance_url
        try:
            parts = urlsplit(check_url(named, "instance_url"))
            if parts.path.strip("/") or parts.query:
                raise ChaserError("not a bare instance URL")
            url = f"{parts.scheme}://{parts.netloc}"
            if url.casefold() == self.http.base_url.casefold():
                return
            fresh = Http(url, **self._opts)  # resolves and pins a loopback name, or refuses
        except ChaserError:
            self._notice(f"Salesforce sign-in named an instance_url chaser will not use (only "
                         f"a bare https://host, or plain http to this machine); API calls stay "
                         f"on {configured}")
            return
        old, self.http = self.http, fresh
        fresh.cancel = old.cancel
        fresh.limiter = old.limiter  # the same org's rate window goes on, not a fresh one
        self._retired[0] += old.requests
        self._retired[1] += old.retries
        old.close()
        if url.casefold() != configured.casefold():
            self._notice(f"Salesforce sign-in says this org's API is at {url}, not at the "
                         f"configured {configured}; this sync used {url}: set instance_url = "
                         f"\"{url}\" in chaser.toml")

    def _classify_login(self, response: httpx.Response) -> Retry | None:
        if response.status_code < 300:
            return None
        if response.status_code in RETRY_STATUSES:
            return Retry(_retry_after(response), f"HTTP {response.status_code}")
        detail = "; ".join(f"{c}: {m}" if c and m else c or m for c, m in errors_of(response)) \
            or f"HTTP {response.status_code}"
        raise AuthError(redact(f"Salesforce refused the sign-in ({detail}); check client_id "
                               "and login_url, then run `chaser connect salesforce`"))

    # ---- requests ------------------------------------------------------------------------
    def _classify(self, what: str):
        def classify(response: httpx.Response) -> Retry | None:
            m = _USAGE.search(response.headers.get("Sforce-Limit-Info", ""))
            if m:
                self.usage = (int(m[1]), int(m[2]))
            code = response.status_code
            if code < 300:
                return None
            errors = errors_of(response)
            codes = {c for c, _ in errors}
            if code == 401:
                raise _Expired()
            if code == 403 and LIMIT in codes:
                said = " ".join(m for c, m in errors if c == LIMIT)
                if not self._daily(said):
                    return Retry(_retry_after(response), CONCURRENT)
                used = f" ({self.usage[0]:,} of {self.usage[1]:,} calls used)" if self.usage else ""
                raise LimitError(f"{what}: Salesforce {LIMIT}{used}: the org's daily API "
                                 "allowance is spent; chaser stopped without retrying. Sync "
                                 "again after the 24-hour window frees calls.")
            if code in RETRY_STATUSES:
                label = next(iter(sorted(codes)), "")
                return Retry(_retry_after(response), f"HTTP {code}{' ' + label if label else ''}")
            detail = "; ".join(f"{c}: {m}" if c and m else c or m for c, m in errors) or f"HTTP {code}"
            raise ConnectorError(redact(f"{what}: {detail}"))
        return classify

    def _daily(self, message: str) -> bool:
        """Is this REQUEST_LIMIT_EXCEEDED the spent day (stop) rather than the concurrent
        long-running request limit (wait and retry)? The message names which; usage at or over
        the allowance settles it either way; an unknown message counts as the day only when
        no usage below the allowance says otherwise."""
        if self.usage and self.usage[1] and self.usage[0] >= self.usage[1]:
            return True
        if "Concurrent" in message:
            return False
        return "TotalRequests" in message or self.usage is None

    def request(self, method: str, url: str, *, what: str, **kwargs) -> httpx.Response:
        """One call with the shared policy; on 401 signs in again once (OAuth modes)."""
        _check_relative(url, what)
        try:
            return self.http.request(method, url, what=what, classify=self._classify(what), **kwargs)
        except _Expired:
            pass
        if self.settings.auth == "token":
            raise AuthError(f"{what}: Salesforce refused the access token (INVALID_SESSION_ID: "
                            "expired or revoked). Store a fresh one with `chaser connect "
                            "salesforce`, or use auth = \"refresh_token\" so chaser can renew it.")
        self.refreshes += 1
        self.authenticate()
        try:
            return self.http.request(method, url, what=what, classify=self._classify(what), **kwargs)
        except _Expired:
            raise AuthError(f"{what}: Salesforce refused a freshly issued access token "
                            "(INVALID_SESSION_ID); check the connected app's policies and the "
                            "integration user's access") from None

    def get_json(self, url: str, *, what: str, **kwargs) -> Any:
        response = self.request("GET", url, what=what, **kwargs)
        try:
            return orjson.loads(response.content)  # pages are large: the fast parser pays
        except orjson.JSONDecodeError:
            raise ConnectorError(f"{what}: Salesforce answered with something other than JSON "
                                 f"(HTTP {response.status_code})") from None

    # ---- reading -------------------------------------------------------------------------
    def describe(self, obj: str) -> dict:
        body = self.get_json(f"{self.base}/sobjects/{obj}/describe", what=f"{obj} describe")
        if not isinstance(body, dict) or not isinstance(body.get("fields"), list):
            raise ConnectorError(f"{obj} describe: the answer has no field list")
        return body

    def userinfo(self) -> dict:
        body = self.get_json("/services/oauth2/userinfo", what="connection test")
        return body if isinstance(body, dict) else {}

    def limits(self) -> dict:
        body = self.get_json(f"{self.base}/limits", what="API limits")
        return body if isinstance(body, dict) else {}

    def rows(self, soql: str, obj: str, fields: Sequence[str], *, all_rows: bool = False,
             bulk_threshold: int | None = None) -> Iterator[tuple[list[list], int, int | None]]:
        """(rows, page number, total) per page; each row holds `fields` in order, relationship
        paths flattened, a null relationship read as None. The REST first page says how many
        records match; above `bulk_threshold` the rest comes from Bulk API 2.0 instead."""
        flat = Flattener(fields)
        endpoint = "queryAll" if all_rows else "query"
        headers = {"Sforce-Query-Options": f"batchSize={self.settings.page_size}"}
        what = f"{obj} page 1"
        body = self._page(f"{self.base}/{endpoint}", what, params={"q": soql}, headers=headers)
        total = body.get("totalSize") if isinstance(body.get("totalSize"), int) else None
        if bulk_threshold is not None and total is not None and total > bulk_threshold:
            yield from self.bulk_rows(soql, obj, fields, all_rows=all_rows, total=total)
            return
        page = 1
        while True:
            yield [flat(r) for r in body["records"]], page, total
            nxt = body.get("nextRecordsUrl")
            if body.get("done", True) or not nxt:
                return
            page += 1
            _check_relative(str(nxt), f"{obj} page {page}")
            if not isinstance(nxt, str) or not _NEXT.fullmatch(nxt):
                # Never quoted: a cursor carrying ?access_token=... would print the token.
                raise ConnectorError(f"{obj} page {page}: Salesforce sent a nextRecordsUrl that "
                                     "is not a query cursor on this instance; refusing to "
                                     "follow it")
            body = self._page(nxt, f"{obj} page {page}", headers=headers)

    def _page(self, url: str, what: str, **kwargs) -> dict:
        body = self.get_json(url, what=what, **kwargs)
        if not isinstance(body, dict) or not isinstance(body.get("records"), list):
            raise ConnectorError(f"{what}: the answer has no record list")
        return body

    def count(self, obj: str, where: str = "", *, all_rows: bool = False) -> int:
        """SELECT COUNT() FROM obj [WHERE ...]: one request. "For COUNT(), the size field of
        the QueryResult object returns the number of rows" (SOQL and SOSL Reference); REST
        puts it in totalSize with no records."""
        soql = f"SELECT COUNT() FROM {obj}" + (f" WHERE {where}" if where else "")
        what = f"{obj} count"
        body = self.get_json(f"{self.base}/{'queryAll' if all_rows else 'query'}", what=what,
                             params={"q": soql})
        n = body.get("totalSize") if isinstance(body, dict) else None
        if type(n) is not int or n < 0:
            raise ConnectorError(f"{what}: the answer has no record count (totalSize)")
        return n

    def ids(self, obj: str, where: str = "", *, all_rows: bool = False,
            bulk_threshold: int | None = None) -> Iterator[list[str]]:
        """Every Id of `obj` [WHERE ...], a page at a time: the cheap sweep that finds which
        cached rows are gone."""
        soql = f"SELECT Id FROM {obj}" + (f" WHERE {where}" if where else "")
        for rows, _, _ in self.rows(soql, obj, ["Id"], all_rows=all_rows,
                                    bulk_threshold=bulk_threshold):
            yield [r[0] for r in rows if r[0]]

    def close(self) -> None:
        self.http.close()
        if self._login is not None:
            self._login.close()


def _check_relative(url: str, what: str) -> None:
    """Only paths on the instance: an absolute nextRecordsUrl would carry the bearer token to
    whatever host it names."""
    if not url.startswith("/") or url.startswith("//"):
        raise ConnectorError(f"{what}: Salesforce pointed to a URL outside the instance; "
                             "refusing to follow it")
