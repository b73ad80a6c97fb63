"""Bulk API 2.0 query jobs for SalesforceApi ("Understanding Bulk API 2.0 Query", "Create a
Query Job", "Get Results for a Query Job", "Abort a Query Job", "Delete a Query Job" in the Bulk
API 2.0 and Bulk API Developer Guide): create, poll until JobComplete, read CSV pages by
Sforce-Locator (literal "null" ends), then delete the job with its stored results. A job that
did not finish is aborted first ("You can only abort jobs that are in the following states:
UploadComplete, InProgress") and then deleted ("You can only delete a job if its state is
JobComplete, Aborted, or Failed"; 204 No Content)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import httpx

from chaser.connectors.base import ConnectorError
from chaser.connectors.http import Http
from chaser.connectors.salesforce_rows import csv_rows
from chaser.secrets import redact

BULK_MAX_WAIT = 1800.0  # seconds a Bulk query job may take before we give up
BULK_PAGE = 50_000  # rows per Bulk result page (maxRecords)
# "Delete a Query Job": only a job in one of these states may be deleted; any other (the guide
# names UploadComplete and InProgress) is aborted first.
_TERMINAL = ("JobComplete", "Aborted", "Failed")


class _JobEnded(ConnectorError):
    """A Bulk job Salesforce reports Failed or Aborted: terminal, so it is deleted, not aborted."""

    def __init__(self, state: str, message: str) -> None:
        super().__init__(message)
        self.state = state


class BulkQueries:
    """The Bulk half of SalesforceApi (a mixin: it uses the API's request, get_json, http,
    base and _notice)."""

    base: str
    http: Http

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
        url = f"{jobs}/{job_id}"
        state = str(job.get("state") or "UploadComplete")
        ended = False
        try:
            try:
                state = self._await_job(url, obj)
            except _JobEnded as e:
                state = e.state
                raise
            locator, page = "", 0
            while True:
                page += 1
                params = {"maxRecords": str(BULK_PAGE)}
                if locator:
                    params["locator"] = locator
                what = f"{obj} bulk results page {page}"
                response = self.request("GET", f"{url}/results", params=params, what=what,
                                        headers={"Accept": "text/csv"})
                rows = csv_rows(response.text, fields, what)
                locator = response.headers.get("Sforce-Locator", "null")
                last = not locator or locator == "null"
                if last:  # every row is in hand: the job's data can go before it is used
                    ended = True
                    self._end_job(url, obj, state)
                yield rows, page, total
                if last:
                    return
        finally:
            if not ended:  # failed or cancelled: stop the job's work, then remove it
                self._end_job(url, obj, state)

    def _await_job(self, url: str, obj: str) -> str:
        """Poll until the job is done: returns "JobComplete", raises for Failed / Aborted (the
        caller still deletes the job) or after BULK_MAX_WAIT seconds."""
        waited, delay = 0.0, 0.5
        while True:
            state = self.get_json(url, what=f"{obj} bulk job")
            s = state.get("state") if isinstance(state, dict) else None
            if s == "JobComplete":
                return s
            if s in ("Failed", "Aborted"):
                why = redact(" ".join(str(state.get("errorMessage") or "no reason given").split()))
                raise _JobEnded(s, f"{obj} bulk job {s.lower()}: {why[:300]}")
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

    def _end_job(self, url: str, obj: str, state: str) -> None:
        """Abort a job that may still run, then delete it with its stored results. Best effort,
        one attempt each, no retries: the sync's own outcome (or its real error) matters more,
        and a job left behind is only reported."""
        if state not in _TERMINAL:
            self._job_call("PATCH", url, json={"state": "Aborted"})
        status = self._job_call("DELETE", url)
        if status is None or status >= 300:
            self._notice(f"{obj}: a Bulk API query job could not be deleted "
                         f"({f'HTTP {status}' if status else 'no answer'}); it stays listed "
                         "under Bulk Data Load Jobs until Salesforce removes it")

    def _job_call(self, method: str, url: str, **kwargs) -> int | None:
        """One request outside the retry policy: its status, or None when none came."""
        self.http.requests += 1  # it spends allowance like any call
        try:
            return self.http.client.request(method, url, timeout=5.0, **kwargs).status_code
        except httpx.HTTPError:
            return None
