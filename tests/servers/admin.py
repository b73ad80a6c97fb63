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
    POST /_test/fault?kind=query&status=403[&code=REQUEST_LIMIT_EXCEEDED][&message=...]
                     [&times=1][&skip=0][&object=X]   kind: token, userinfo, limits, describe,
                                         query, query-more, records (both), count, bulk-create,
                                         bulk-poll, bulk-results, bulk-abort, bulk-delete
    POST /_test/limit?which=concurrent[&times=3][&kind=records][&object=X]
                                         the next 3 record reads answer 403 REQUEST_LIMIT_EXCEEDED
                                         "ConcurrentRequests (Concurrent API Requests) Limit
                                         exceeded." (more than 25 long requests at once)
    POST /_test/limit?which=daily        the day's allowance is spent: every API call answers 403
                                         REQUEST_LIMIT_EXCEEDED "TotalRequests Limit exceeded."
                                         until /_test/usage lowers `used`
    POST /_test/delete?object=Account[&count=5][&hard=1]   soft-delete 5 live rows (to the
                                         recycle bin: queryAll shows IsDeleted = true), or with
                                         hard=1 delete them for good (gone from query and queryAll)
    POST /_test/purge[?object=Account][&count=N]   the bin loses its N oldest rows (all when N is
                                         omitted: an emptied bin once queryAll stops seeing it)
    POST /_test/age?object=Account&days=365   shift the object's rows back in time so the newest
                                         SystemModstamp is 365 days old
    POST /_test/rotation?on=1|0          refresh-token rotation: each refresh answers a new
                                         refresh_token and the old one stops working
    POST /_test/instance?url=http://localhost:PORT   the instance_url the token endpoint names
                                         (url= empty: this server's own), as for an org moved
    GET  /_test/records                  per object: live rows, rows in the bin, newest stamp
    GET  /_test/jobs                     Bulk query jobs not deleted yet (id, object, state)
HubSpot only:
    POST /_test/fault?kind=daily|429|503|401[&path=/crm/v3/objects][&times=1]
    POST /_test/delete?object=deals&count=5[&hard=1]   archive 5 records (listed as archived
                                         from then on), or with hard=1 delete them outright
                                         (a GDPR delete, a merge: they appear in no list)
    POST /_test/ratelimit?max=100&interval_ms=10000&search_per_second=4   the portal's limits
                                         (any subset); GET shows them and the 429s they sent
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
                      message=query.get("message"),
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
    if method == "POST" and path in SF_ORG_CONTROLS:
        return SF_ORG_CONTROLS[path](org, query)
    if path == "/_test/records" and method == "GET":
        with org.lock:
            return 200, {obj: {"live": sum(not r.get("IsDeleted") for r in rows.values()),
                               "bin": sum(bool(r.get("IsDeleted")) for r in rows.values()),
                               "newest": max((r["SystemModstamp"] for r in rows.values()),
                                             default=None)}
                         for obj, rows in org.data.items()}
    if path == "/_test/jobs" and method == "GET":
        with org.lock:
            return 200, {"jobs": [{"id": j["id"], "object": j["object"], "state": j["state"]}
                                  for j in org.jobs.values()]}
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


def _sf_object(org, query: dict) -> str:
    obj = query.get("object", "")
    if obj not in org.data:
        raise KeyError(obj)
    return obj


def _sf_limit(org, query: dict):
    from servers.sf_org import concurrent_limit

    if query.get("which") == "daily":
        org.spend_allowance()
        return 200, {"used": org.used, "allowance": org.allowance, "answers": "403 TotalRequests"}
    fault = concurrent_limit(query.get("kind", "records"), _int(query, "times", 1, 1),
                             query.get("object"))
    with org.lock:
        org.faults.append(fault)
    return 200, {"concurrent_limit": fault.times, "kind": fault.kind}


def _sf_delete(org, query: dict):
    obj, count = _sf_object(org, query), _int(query, "count", 1, 1)
    if query.get("hard") in ("1", "true"):
        return 200, {"hard_deleted": org.hard_delete(obj, count=count)}
    with org.lock:
        live = [i for i, r in org.data[obj].items() if not r.get("IsDeleted")]
        picked = live[:: max(1, len(live) // count)][:count]  # spread over the object
        for rec_id in picked:
            org.delete(obj, rec_id)
    return 200, {"deleted": picked, "recycle_bin": len(org.binned(obj))}


def _sf_purge(org, query: dict):
    obj = _sf_object(org, query) if query.get("object") else None
    count = _int(query, "count", 0, 1) if "count" in query else None
    return 200, {"purged": org.purge(obj, count)}


def _sf_age(org, query: dict):
    obj = _sf_object(org, query)
    days = float(query.get("days", 365))
    return 200, {"object": obj, "newest": org.age(obj, days)}


def _sf_rotation(org, query: dict):
    org.rotate_refresh = query.get("on", "1") in ("1", "true")
    return 200, {"rotation": org.rotate_refresh}


def _sf_instance(org, query: dict):
    org.instance_url = query.get("url") or None
    return 200, {"instance_url": org.instance_url or "(this server)"}


def _guarded(control):
    def run(org, query: dict):
        try:
            return control(org, query)
        except (KeyError, ValueError) as e:
            return 400, [{"message": f"bad control arguments: {e}", "errorCode": "INVALID_INPUT"}]
    return run


SF_ORG_CONTROLS = {path: _guarded(fn) for path, fn in {
    "/_test/limit": _sf_limit, "/_test/delete": _sf_delete, "/_test/purge": _sf_purge,
    "/_test/age": _sf_age, "/_test/rotation": _sf_rotation, "/_test/instance": _sf_instance,
    "/_test/cannot-edit": lambda org, query: _sf_cannot_edit(org, query),
}.items()}


def _sf_cannot_edit(org, query: dict) -> tuple[int, dict]:
    from servers.sf_perms import control  # field permissions: servers/sf_perms.py

    return control(org, query)


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
    if path == "/_test/delete" and method == "POST":
        obj = query.get("object", "deals")
        if obj not in fake.records:
            return 404, {"status": "error", "message": f"no records of {obj!r}"}, None
        hard = query.get("hard", "0").lower() in ("1", "true", "yes")
        gone = fake.delete_some(obj, _int(query, "count", 5, 1, 10**6), hard)
        return 200, {"object": obj, "deleted": len(gone), "hard": hard, "ids": gone[:20]}, None
    if path == "/_test/ratelimit":
        limits = fake.limits
        if method == "POST":
            with fake.lock:
                limits.max = _int(query, "max", limits.max, 1)
                limits.interval_ms = _int(query, "interval_ms", limits.interval_ms, 50)
                limits.search_per_second = _int(query, "search_per_second",
                                                limits.search_per_second, 1)
        return 200, {"max": limits.max, "interval_ms": limits.interval_ms,
                     "search_per_second": limits.search_per_second,
                     "refused": dict(limits.refused)}, None
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
    if hit.path.endswith("/search"):  # limit 1 and no filter: a count (Api.count)
        body = hit.body or {}
        return "count" if body.get("limit") == 1 and not body.get("filterGroups") else "search"
    if hit.path.startswith("/crm/v3/objects/"):
        if hit.query.get("archived") == "true":
            return "list (archived)"
        return "ids" if hit.query.get("properties") == "hs_object_id" else "list"
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
