"""The tester's controls of the loopback servers, under /_test/ (never logged as API calls, never
counted against the fake API allowance). They let a person trying chaser by hand do what the
tests do in code: change records, inject faults, and read what chaser asked for.

Both servers (query strings; POST for changes):
    POST /_test/change?count=50          change 50 records (a rule field flips blank <-> filled)
    POST /_test/burst?seconds=20         for 20 s every record read answers 429, 503, 429, ...
    POST /_test/burst?count=6            the next 6 record reads answer 429, 503, 429, ...
    POST /_test/mark                     start counting here: stats and log default to since=mark
    GET  /_test/stats[?since=N&window=10]  requests since the mark (or log entry N): by kind
                                         and status, records returned, the most that arrived
                                         within any `window` seconds
    GET  /_test/log[?since=N]            the request log since the mark (or entry N)
    POST /_test/usage?used=13000[&allowance=15000]   the daily API usage the answers report
                                         (Sforce-Limit-Info, X-HubSpot-RateLimit-Daily...)
Salesforce only:
    POST /_test/fault?kind=query&status=403[&code=REQUEST_LIMIT_EXCEEDED][&times=1][&object=X]
HubSpot only:
    POST /_test/fault?kind=daily|429|503|401[&path=/crm/v3/objects][&times=1]
Both, adversarial (no vendor echoes a credential; this checks chaser never shows one):
    POST /_test/fault?...&echo=exact|quote|quote_plus|upper|lower|base64|bang_left|...&field=F
        the answer echoes the caller's secret spelled so (servers/echo.py), in field F:
        Salesforce code|message|next|bulk (kind=token: the refresh token / client secret),
        HubSpot message|category|policy|cursor|text
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

# A field each object's sample rules read, so a change moves the gaps.
SF_TOGGLED = {"Opportunity": ("NextStep", "Call back"), "Account": ("Phone", "+1 555 0100"),
              "Contact": ("Title", "VP"), "Lead": ("LeadSource", "Web")}
SF_RECORDS = ("query", "query-more")


def _int(query: dict, key: str, default: int, low: int = 0, high: int = 10**9) -> int:
    try:
        return max(low, min(high, int(query.get(key, default))))
    except ValueError:
        return default


def window_max(times: list[float], window: float) -> int:
    """The most requests that arrived within any `window` seconds."""
    times = sorted(times)
    best, j = 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - window:
            j += 1
        best = max(best, i - j + 1)
    return best


def summary(rows: list[dict], window: float) -> dict:
    """rows: {"t", "kind", "status", "records"} per request, in arrival order."""
    by_kind: dict[str, int] = {}
    by_status: dict[str, int] = {}
    for r in rows:
        by_kind[r["kind"]] = by_kind.get(r["kind"], 0) + 1
        by_status[str(r["status"])] = by_status.get(str(r["status"]), 0) + 1
    times = [r["t"] for r in rows]
    return {"requests": len(rows), "by_kind": by_kind, "by_status": by_status,
            "records_returned": sum(r["records"] for r in rows),
            "seconds_first_to_last": round(times[-1] - times[0], 3) if times else 0.0,
            f"most_in_any_{window:g}s": window_max(times, window)}


# ---- Salesforce -----------------------------------------------------------------------------

def _mark(server, method: str, path: str, size: int) -> dict | None:
    """POST /_test/mark: remember where the log ends now (on the server object)."""
    if path == "/_test/mark" and method == "POST":
        server.test_mark = size
        return {"mark": size}
    return None


def _since(server, query: dict) -> int:
    return _int(query, "since", getattr(server, "test_mark", 0))


def sf_control(org, method: str, path: str, query: dict) -> tuple[int, object]:
    from servers.sf_org import Fault, stamp

    if (marked := _mark(org, method, path, len(org.log))) is not None:
        return 200, marked
    if path == "/_test/change" and method == "POST":
        return 200, _sf_change(org, _int(query, "count", 50), query.get("object"), stamp)
    if path == "/_test/burst" and method == "POST":
        if "seconds" in query:
            seconds = _int(query, "seconds", 20, 1, 3600)
            with org.lock:
                org.burst_until = time.monotonic() + seconds
            return 200, {"burst_seconds": seconds, "answers": "429, 503, ... on record reads"}
        n = _int(query, "count", 6, 1, 1000)
        with org.lock:
            org.faults += [Fault("records", 429 if i % 2 == 0 else 503) for i in range(n)]
        return 200, {"burst": n, "answers": "429, 503, ... on the next record reads"}
    if path == "/_test/fault" and method == "POST":
        status = query.get("status", "503")
        fault = Fault(query.get("kind", "records"), "drop" if status == "drop" else int(status),
                      times=_int(query, "times", 1, 1), skip=_int(query, "skip", 0),
                      object=query.get("object"), code=query.get("code"),
                      retry_after=query.get("retry_after"), echo=query.get("echo"),
                      field=query.get("field", "message"))
        with org.lock:
            org.faults.append(fault)
        return 200, {"fault": {k: getattr(fault, k) for k in ("kind", "action", "times", "object",
                                                               "code")}}
    if path == "/_test/usage" and method == "POST":
        with org.lock:
            org.allowance = _int(query, "allowance", org.allowance, 1)
            org.used = _int(query, "used", org.used)
        return 200, {"used": org.used, "allowance": org.allowance}
    if path in ("/_test/log", "/_test/stats") and method == "GET":
        since = _since(org, query)
        with org.lock:
            entries = org.log[since:]
            size = len(org.log)
        t0 = org.log[0]["t"] if org.log else 0.0
        if path == "/_test/log":
            return 200, {"next": size, "log": [
                [round(e["t"] - t0, 3), e["method"], e["path"], e["kind"], e["object"],
                 e["status"], e.get("records", 0)] for e in entries]}
        rows = [{"t": e["t"], "kind": e["kind"], "status": e["status"],
                 "records": e.get("records", 0)} for e in entries]
        return 200, {"next": size, **summary(rows, float(query.get("window", 10)))}
    return 404, [{"message": f"no control {method} {path}", "errorCode": "NOT_FOUND"}]


def _sf_change(org, count: int, only: str | None, stamp) -> dict:
    """`count` live records spread evenly over the objects (or `only`), all stamped with the
    current second, as one bulk edit in a real org would be."""
    objs = [o for o in SF_TOGGLED if o in org.data and (only is None or o == only)]
    changed: dict[str, int] = {}
    with org.lock:
        at = max(datetime.now(UTC).replace(microsecond=0), org.clock + timedelta(seconds=1))
        org.clock = at
        for j, obj in enumerate(objs):
            share = count // len(objs) + (j < count % len(objs))
            live = [r for r in org.data[obj].values() if not r["IsDeleted"]]
            picked = live[:: max(1, len(live) // max(share, 1))][:share]
            field, filled = SF_TOGGLED[obj]
            for rec in picked:
                rec[field] = filled if rec.get(field) in (None, "") else None
                rec["SystemModstamp"] = stamp(at)
            changed[obj] = len(picked)
    return {"changed": sum(changed.values()), "objects": changed, "SystemModstamp": stamp(at)}


# ---- HubSpot --------------------------------------------------------------------------------

def hs_control(fake, method: str, path: str, query: dict, body) -> tuple[int, object, None]:
    if (marked := _mark(fake, method, path, len(fake.log))) is not None:
        return 200, marked, None
    if path == "/_test/burst" and method == "POST":
        if "seconds" in query:
            seconds = _int(query, "seconds", 20, 1, 3600)
            with fake.lock:
                fake.burst_until = time.monotonic() + seconds
            return 200, {"burst_seconds": seconds, "answers": "429, 503, ... on record reads"}, None
        n = _int(query, "count", 6, 1, 1000)
        for i in range(n):
            fake.fail("/crm/v3/objects/", "429" if i % 2 == 0 else "503")
        return 200, {"burst": n, "answers": "429, 503, ... on the next record reads"}, None
    if path == "/_test/usage" and method == "POST":
        with fake.lock:
            fake.daily_limit = _int(query, "allowance", fake.daily_limit, 1)
            fake.daily_used = _int(query, "used", fake.daily_used)
        return 200, {"used": fake.daily_used, "allowance": fake.daily_limit}, None
    if path == "/_test/fault" and method == "POST":
        kind = query.get("kind", "503")
        fake.fail(query.get("path", "/crm/v3/"), kind, times=_int(query, "times", 1, 1),
                  echo=query.get("echo"), field=query.get("field", "message"))
        return 200, {"fault": kind}, None
    if path == "/_test/stats" and method == "GET":
        since = _since(fake, query)
        with fake.lock:
            hits = fake.log[since:]
            size = len(fake.log)
        rows = [{"t": h.at, "kind": _hs_kind(h), "status": h.status, "records": h.results}
                for h in hits]
        return 200, {"next": size, **summary(rows, float(query.get("window", 10)))}, None
    return 404, {"status": "error", "message": f"no control {method} {path}"}, None


def _hs_kind(hit) -> str:
    if hit.path.endswith("/search"):
        return "search"
    if hit.path.startswith("/crm/v3/objects/"):
        return "list (archived)" if hit.query.get("archived") == "true" else "list"
    if hit.path.startswith("/crm/v3/owners"):
        return "owners"
    return "account" if hit.path.startswith("/account-info") else "other"


# ---- for tests: the standalone runner in a child process ------------------------------------

class Standalone:
    """`with Standalone("salesforce", "--records", "40") as s:` runs `python -m tests.servers`
    as a user would and exposes its URL, token and the controls above."""

    def __init__(self, crm: str, *args: str) -> None:
        self.argv = [crm, "--max-seconds", "60", *args]

    def __enter__(self) -> Standalone:
        import re
        import subprocess
        import sys
        from pathlib import Path

        root = Path(__file__).resolve().parents[2]
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.servers", *self.argv],
                                     cwd=root, stdout=subprocess.PIPE, text=True)
        self.banner = [self.proc.stdout.readline(), self.proc.stdout.readline()]
        m = re.search(r" at (http://127\.0\.0\.1:\d+) ", self.banner[0])
        if not m:
            self.__exit__()
            raise RuntimeError(f"the server did not start: {self.banner!r}")
        self.url = m[1]
        self.token = self.banner[1].rsplit(" ", 1)[1].strip()
        return self

    def control(self, method: str, path: str) -> object:
        import httpx

        response = httpx.request(method, self.url + path, timeout=10)
        response.raise_for_status()
        return response.json()

    def __exit__(self, *exc) -> None:
        self.proc.terminate()  # our own child, by its handle
        self.proc.wait(timeout=10)
        self.proc.stdout.close()
