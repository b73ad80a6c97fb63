"""Salesforce over the shared HTTP policy: sign-in, error meanings, REST query paging, Bulk
API 2.0 and the API-usage header. Knows nothing of rules, layouts or caches.

Secrets: the access token lives only in the client's Authorization header. Every secret is
registered with `secrets.redact` as soon as it is read or issued, and every message built from
a response goes through it; an error code is quoted only when it looks like one. Nothing here
builds a message from a request.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from typing import Any

import httpx
import orjson

from chaser import secrets
from chaser.connectors.base import AuthError, Cancel, ConnectorError, LimitError
from chaser.connectors.http import RETRY_STATUSES, Http, Retry, _retry_after, client_options
from chaser.secrets import redact

SOURCE = "salesforce"
AUTH_MODES = ("token", "refresh_token", "client_credentials")
_USAGE = re.compile(r"api-usage=(\d+)/(\d+)")
# A REST query cursor as Salesforce sends it: a path on the instance, no query string.
_NEXT = re.compile(r"/services/data/v\d+\.\d+/query(?:All)?/[A-Za-z0-9]+-\d+")
_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_.:-]{0,63}")  # what Salesforce's error codes look like
BULK_MAX_WAIT = 1800.0  # seconds a Bulk query job may take before we give up
BULK_PAGE = 50_000  # rows per Bulk result page (maxRecords)


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


class SalesforceApi:
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
        self.usage: tuple[int, int] | None = None  # (used, daily allowance) from the last response
        self.token_source = ""  # "keyring" | "environment" | "oauth"
        self.refreshes = 0

    # ---- sign-in -------------------------------------------------------------------------
    def set_cancel(self, cancel: Cancel) -> None:
        self.http.cancel = cancel
        if self._login is not None:
            self._login.cancel = cancel

    @property
    def requests(self) -> int:
        return self.http.requests + (self._login.requests if self._login else 0)

    @property
    def retries(self) -> int:
        return self.http.retries + (self._login.retries if self._login else 0)

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
            token = response.json().get("access_token")
        except (ValueError, AttributeError):
            token = None
        if not isinstance(token, str) or not token:
            raise AuthError("Salesforce sign-in: the token endpoint answered without an "
                            "access_token")
        secrets.register(token)  # before anything can quote it
        return token

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
            if code == 403 and "REQUEST_LIMIT_EXCEEDED" in codes:
                used = f" ({self.usage[0]:,} of {self.usage[1]:,} calls used)" if self.usage else ""
                raise LimitError(f"{what}: Salesforce REQUEST_LIMIT_EXCEEDED{used}: the org's "
                                 "daily API allowance is spent; chaser stopped without retrying. "
                                 "Sync again after the 24-hour window frees calls.")
            if code in RETRY_STATUSES:
                label = next(iter(sorted(codes)), "")
                return Retry(_retry_after(response), f"HTTP {code}{' ' + label if label else ''}")
            detail = "; ".join(f"{c}: {m}" if c and m else c or m for c, m in errors) or f"HTTP {code}"
            raise ConnectorError(redact(f"{what}: {detail}"))
        return classify

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

    def bulk_rows(self, soql: str, obj: str, fields: Sequence[str], *, all_rows: bool,
                  total: int | None) -> Iterator[tuple[list[list], int, int | None]]:
        jobs = f"{self.base}/jobs/query"
        response = self.request("POST", jobs, what=f"{obj} bulk job", json={
            "operation": "queryAll" if all_rows else "query", "query": soql,
            "contentType": "CSV", "columnDelimiter": "COMMA", "lineEnding": "LF"})
        try:
            job = response.json()
        except ValueError:
            job = None
        job = job if isinstance(job, dict) else {}
        job_id = str(job.get("id") or "")
        if not re.fullmatch(r"[A-Za-z0-9]{15,18}", job_id):
            raise ConnectorError(f"{obj} bulk job: Salesforce returned no usable job id")
        done = False
        try:
            self._await_job(f"{jobs}/{job_id}", obj)
            locator, page = "", 0
            while True:
                page += 1
                params = {"maxRecords": str(BULK_PAGE)}
                if locator:
                    params["locator"] = locator
                response = self.request("GET", f"{jobs}/{job_id}/results", params=params,
                                        what=f"{obj} bulk results page {page}",
                                        headers={"Accept": "text/csv"})
                yield csv_rows(response.text, fields, f"{obj} bulk results page {page}"), page, total
                locator = response.headers.get("Sforce-Locator", "null")
                if not locator or locator == "null":
                    done = True
                    return
        finally:
            if not done:  # cancelled or failed: stop the job's work on the server (best effort)
                self._abort(f"{jobs}/{job_id}", obj)

    def _await_job(self, url: str, obj: str) -> None:
        waited, delay = 0.0, 0.5
        while True:
            state = self.get_json(url, what=f"{obj} bulk job")
            s = state.get("state") if isinstance(state, dict) else None
            if s == "JobComplete":
                return
            if s in ("Failed", "Aborted"):
                why = redact(" ".join(str(state.get("errorMessage") or "no reason given").split()))
                raise ConnectorError(f"{obj} bulk job {s.lower()}: {why[:300]}")
            if waited >= BULK_MAX_WAIT:
                raise ConnectorError(f"{obj} bulk job: not complete after {BULK_MAX_WAIT:.0f} s")
            self._sleep(delay)
            waited += delay
            delay = min(delay * 2, 10.0)

    def _sleep(self, seconds: float) -> None:
        """Sleep through the policy's own sleep, in steps, so a cancel is honoured."""
        left = seconds
        while left > 0:
            self.http.cancel.check()
            step = min(left, 0.25)
            self.http.sleep(step)
            left -= step
        self.http.cancel.check()

    def _abort(self, url: str, obj: str) -> None:
        self.http.requests += 1  # it spends allowance like any call
        try:
            self.http.client.patch(url, json={"state": "Aborted"}, timeout=5.0)
        except httpx.HTTPError:
            pass  # the job expires on its own; the sync's real error matters more

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


def text(value: Any) -> str | None:
    """A JSON value as the text a row holds (rules compare text)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict):  # a compound field (address, geolocation): filled if any part is
        parts = [str(v) for k, v in value.items() if k != "attributes" and v not in (None, "")]
        return ", ".join(parts) or None
    return str(value)


_ABSENT = object()


class Flattener:
    """A REST record -> a row of `fields`; "Account.Name" walks the nested relationship."""

    def __init__(self, fields: Sequence[str]) -> None:
        self.paths = [tuple(f.split(".")) for f in fields]

    def __call__(self, record: dict) -> list:
        # Runs once per record of a sync: plain fields and strings take the short path.
        row = []
        append = row.append
        for path in self.paths:
            v: Any = record
            for seg in path:
                if type(v) is not dict:
                    v = None
                    break
                got = v.get(seg, _ABSENT)
                if got is _ABSENT:  # Salesforce answers in the describe's casing; a rule may not
                    got = next((x for k, x in v.items() if k.casefold() == seg.casefold()), None)
                v = got
            append(v if v is None or type(v) is str else text(v))
        return row


def csv_rows(body: str, fields: Sequence[str], what: str) -> list[list]:
    """A Bulk API 2.0 CSV page -> rows of `fields`. Bulk writes nulls as empty cells."""
    reader = csv.reader(io.StringIO(body))
    header = next(reader, None)
    if header is None:
        return []
    index = {h.casefold(): i for i, h in enumerate(header)}
    missing = [f for f in fields if f.casefold() not in index]
    if missing:
        raise ConnectorError(f"{what}: column {missing[0]!r} missing from the CSV")
    cols = [index[f.casefold()] for f in fields]
    return [[(r[i] if i < len(r) and r[i] != "" else None) for i in cols] for r in reader if r]
