"""A fake HubSpot on 127.0.0.1 that speaks enough of CRM v3 for the connector's tests and the
sync benchmark: object lists (limit, after, properties, archived), search (filterGroups, one
sort, limit <= 200, after, and the per-query result cap), owners (archived), account details,
bearer auth, HubSpot's error bodies, and scripted faults: 429 TEN_SECONDLY_ROLLING / DAILY,
503, a connection dropped before the response, and one cut off in the middle of the body.

Every request is logged (time, method, path, query, body, status, results) so tests can count
exactly what the client asked for. Run it as a script for the benchmark:

    python tests/hubspot_server.py --records 100000 [--owners 60] [--port 0]

prints `READY <base url>` and serves until stdin closes. POST /_test/change {"count": n}
touches n records per object; GET /_test/log?since=i returns the log from entry i. To try
chaser against it by hand, `python -m tests.servers hubspot` (tests/servers/__main__.py) adds
more controls (faults, request statistics: servers/admin.py).
"""

from __future__ import annotations

import bisect
import json
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TOKEN = "pat-na1-11111111-2222-3333-4444-555555555555"
PORTAL = 4242
BASE_TIME = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
CHANGE_TIME = datetime(2026, 11, 19, 6, 0, tzinfo=UTC)  # before the tests' pinned NOW
MODIFIED = {"contacts": "lastmodifieddate"}
TOGGLED = {"deals": "amount", "contacts": "phone", "companies": "industry"}  # by /_test/change
TYPES = ("deals", "contacts", "companies", "tickets")


def modified_of(obj: str) -> str:
    return MODIFIED.get(obj, "hs_lastmodifieddate")


def iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def to_ms(value) -> int | None:
    if value in (None, ""):
        return None
    text = str(value)
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return None


@dataclass
class Fault:
    path: str  # substring of the request path
    kind: str  # "429", "daily", "503", "500", "drop", "truncate", "401", "400"
    times: int = 1
    after: int = 0  # let this many matching requests through first
    method: str | None = None
    # Adversarial, not vendor behaviour: echo the caller's token, spelled as `echo` (a form of
    # servers/echo.py), in `field`: "message", "category", "policy" (a 429's policyName),
    # "cursor" (paging.next.after, repeated) or "text" (a body that is not HubSpot's shape).
    echo: str | None = None
    field: str = "message"
    seen: int = 0


@dataclass
class Hit:
    at: float  # time.monotonic() on arrival
    method: str
    path: str
    query: dict
    body: dict | None
    status: int = 0
    results: int = 0


@dataclass
class FakeHubSpot:
    token: str = TOKEN
    portal: int | None = PORTAL
    search_cap: int = 10_000
    owners: list[dict] = field(default_factory=list)
    records: dict[str, dict[str, dict]] = field(default_factory=dict)  # type -> id -> record
    empty_page_before: dict[str, set[str]] = field(default_factory=dict)  # type -> record ids
    faults: list[Fault] = field(default_factory=list)
    log: list[Hit] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        self._ids: dict[str, list[int]] = {}  # sorted ids per type, for cursors
        self._tick = 0
        self.live_clock = False  # True: changes carry the wall-clock time, as in a real portal
        self.burst_until = 0.0  # time.monotonic() until which record reads answer 429/503
        self.burst_served = 0
        self.daily_limit, self.daily_used = 250_000, 1_000  # X-HubSpot-RateLimit-Daily[-...]
        self._last_change: datetime | None = None
        self.server: ThreadingHTTPServer | None = None
        self.url = ""

    # ---- data ---------------------------------------------------------------------------
    def add_owner(self, oid: str, first: str, last: str, email: str, team: str | None = None,
                  archived: bool = False) -> None:
        teams = [{"id": team.lower(), "name": team, "primary": True}] if team else []
        self.owners.append({"id": oid, "email": email, "firstName": first, "lastName": last,
                            "userId": int(oid), "archived": archived, "teams": teams,
                            "createdAt": iso(BASE_TIME), "updatedAt": iso(BASE_TIME)})

    def add_record(self, obj: str, rid: str, props: dict, *, archived: bool = False,
                   modified: datetime | None = None) -> None:
        props = dict(props)
        props.setdefault(modified_of(obj), iso(modified or BASE_TIME))
        props["hs_object_id"] = rid
        self.records.setdefault(obj, {})[rid] = {"id": rid, "properties": props,
                                                 "archived": archived}
        self._ids.pop(obj, None)

    def change(self, obj: str, rid: str, **props) -> None:
        """Edit a record now: its modified date moves past every earlier one."""
        with self.lock:
            self._tick += 1
            rec = self.records[obj][rid]
            rec["properties"].update(props)
            at = CHANGE_TIME + timedelta(seconds=self._tick)
            if self.live_clock:  # now, and never two changes in the same millisecond
                at = datetime.now(UTC)
                if self._last_change and at <= self._last_change:
                    at = self._last_change + timedelta(milliseconds=1)
                self._last_change = at
            rec["properties"][modified_of(obj)] = iso(at)

    def archive(self, obj: str, rid: str) -> None:
        with self.lock:
            self.records[obj][rid]["archived"] = True

    def fail(self, path: str, kind: str, times: int = 1, after: int = 0,
             method: str | None = None, echo: str | None = None, field: str = "message") -> None:
        self.faults.append(Fault(path, kind, times, after, method, echo, field))

    def hits(self, path: str = "", method: str | None = None) -> list[Hit]:
        return [h for h in self.log if path in h.path and method in (None, h.method)]

    # ---- serving ------------------------------------------------------------------------
    def start(self, port: int = 0) -> str:
        fake = self

        class Handler(_Handler):
            pass

        Handler.fake = fake
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)  # loopback only
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        return self.url

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def _sorted_ids(self, obj: str) -> list[int]:
        ids = self._ids.get(obj)
        if ids is None:
            ids = self._ids[obj] = sorted(int(i) for i in self.records.get(obj, {}))
        return ids

    def respond(self, method: str, path: str, query: dict, body: dict | None, auth: str | None
                ) -> tuple[int, object, str | None]:
        """(status, JSON body, fault kind for the transport) for one request."""
        with self.lock:
            if path.startswith("/crm/v3/objects/") and time.monotonic() < self.burst_until:
                self.burst_served += 1  # an outage: 429, 503, 429, ... until it ends
                return _fault("429" if self.burst_served % 2 else "503")
            for f in self.faults:
                if f.path in path and f.method in (None, method) and f.times > 0:
                    f.seen += 1
                    if f.seen > f.after:
                        f.times -= 1
                        if f.echo:
                            from servers.echo import hs_echo_fault

                            return hs_echo_fault(f, (auth or "").removeprefix("Bearer "))
                        return _fault(f.kind)
            if auth != f"Bearer {self.token}":
                return 401, _error("Authentication credentials not found.",
                                   "INVALID_AUTHENTICATION"), None
            return self._route(method, path, query, body)

    def _route(self, method, path, query, body):
        parts = path.strip("/").split("/")
        if path == "/account-info/v3/details" and method == "GET":
            if self.portal is None:
                return 403, _error("This app hasn't been granted all required scopes.",
                                   "MISSING_SCOPES"), None
            return 200, {"portalId": self.portal, "uiDomain": "app.hubspot.com",
                         "timeZone": "UTC", "companyCurrency": "USD",
                         "dataHostingLocation": "na1"}, None
        if path == "/crm/v3/owners" and method == "GET":
            return self._owners(query)
        if parts[:3] == ["crm", "v3", "objects"] and len(parts) >= 4:
            obj = parts[3]
            if obj not in TYPES:
                return 400, _error(f"Unable to infer object type from: {obj}",
                                   "VALIDATION_ERROR"), None
            if len(parts) == 4 and method == "GET":
                return self._list(obj, query)
            if len(parts) == 5 and parts[4] == "search" and method == "POST":
                return self._search(obj, body or {})
        return 404, _error(f"no route {method} {path}", "OBJECT_NOT_FOUND"), None

    def _owners(self, query):
        limit = int(query.get("limit", "100"))
        if not 1 <= limit <= 500:
            return 400, _error("limit must be from 1 to 500", "VALIDATION_ERROR"), None
        archived = query.get("archived", "false") == "true"
        rows = [o for o in self.owners if o["archived"] == archived]
        start = int(query.get("after", "0"))
        page = rows[start:start + limit]
        out = {"results": page}
        if start + limit < len(rows):
            out["paging"] = {"next": {"after": str(start + limit),
                                      "link": "https://api.hubapi.com/crm/v3/owners?after=..."}}
        return 200, out, None

    def _list(self, obj, query):
        limit = int(query.get("limit", "10"))
        if not 1 <= limit <= 100:
            return 400, _error("limit must be from 1 to 100", "VALIDATION_ERROR"), None
        archived = query.get("archived", "false") == "true"
        props = [p for p in query.get("properties", "").split(",") if p]
        after = query.get("after", "")
        injected = after.startswith("e")  # the empty page was served: now the real one
        start_id = int(after.lstrip("e") or 0)
        ids = self._sorted_ids(obj)
        table = self.records.get(obj, {})
        i = bisect.bisect_left(ids, start_id)
        if not injected and i < len(ids) and str(ids[i]) in self.empty_page_before.get(obj, ()):
            return 200, {"results": [], "paging": {"next": {"after": f"e{ids[i]}"}}}, None
        page = []
        while i < len(ids) and len(page) < limit:
            rec = table[str(ids[i])]
            if rec["archived"] == archived:
                page.append(_shape(rec, props))
            i += 1
        out = {"results": page}
        # HubSpot says nothing of a total: `paging` is present while more may follow.
        while i < len(ids) and table[str(ids[i])]["archived"] != archived:
            i += 1
        if i < len(ids):
            out["paging"] = {"next": {"after": str(ids[i]), "link": "..."}}
        return 200, out, None

    def _search(self, obj, body):
        limit = body.get("limit", 10)
        if not isinstance(limit, int) or not 1 <= limit <= 200:
            return 400, _error("limit must be from 1 to 200", "VALIDATION_ERROR"), None
        sorts = body.get("sorts") or []
        if len(sorts) > 1:
            return 400, _error("only one sort is allowed", "VALIDATION_ERROR"), None
        after = int(body.get("after") or 0)
        if after + limit > self.search_cap:
            return 400, _error(f"Search results are limited to {self.search_cap} per query; "
                               "narrow the filters", "VALIDATION_ERROR"), None
        groups = body.get("filterGroups") or []
        hits = [r for r in self.records.get(obj, {}).values()
                if not r["archived"] and (not groups or any(
                    all(_match(r, f) for f in g.get("filters", [])) for g in groups))]
        if sorts:
            prop = sorts[0]["propertyName"]
            hits.sort(key=lambda r: (_key(r["properties"].get(prop)), int(r["id"])),
                      reverse=sorts[0].get("direction") == "DESCENDING")
        else:
            hits.sort(key=lambda r: int(r["id"]))
        page = [_shape(r, body.get("properties") or []) for r in hits[after:after + limit]]
        out = {"total": len(hits), "results": page}
        if after + limit < len(hits):
            out["paging"] = {"next": {"after": str(after + limit)}}
        return 200, out, None

    # ---- test-only control, used by the benchmark --------------------------------------
    def control(self, method, path, query, body):
        if path == "/_test/change" and method == "POST":  # n records in all, spread evenly
            n = int((body or {}).get("count", query.get("count", 0)))
            objs = sorted(o for o in self.records if self.records[o])
            changed = {}
            for j, obj in enumerate(objs):
                share = n // len(objs) + (j < n % len(objs))
                table = self.records[obj]
                ids = [i for i in self._sorted_ids(obj) if not table[str(i)]["archived"]]
                prop = TOGGLED.get(obj, "amount")  # a property the rules read: gaps move
                picked = ids[:: max(1, len(ids) // max(share, 1))][:share]
                for k in picked:
                    old = self.records[obj][str(k)]["properties"].get(prop)
                    self.change(obj, str(k), **{prop: "250" if old in (None, "") else None})
                changed[obj] = len(picked)
            return 200, {"changed": sum(changed.values()), "objects": changed}, None
        if path == "/_test/log":
            since = int(query.get("since", "0"))
            return 200, [[h.method, h.path, h.query.get("archived", ""), h.status, h.results]
                         for h in self.log[since:]], None
        from servers.admin import hs_control  # the hand-testing controls

        return hs_control(self, method, path, query, body)


def _key(value):
    ms = to_ms(value)
    return (0, ms, "") if ms is not None else (1, 0, str(value or ""))


def _match(rec: dict, f: dict) -> bool:
    value = rec["properties"].get(f.get("propertyName"))
    op = f.get("operator")
    if op == "HAS_PROPERTY":
        return value not in (None, "")
    if op == "NOT_HAS_PROPERTY":
        return value in (None, "")
    if value in (None, ""):
        return False
    a, b = to_ms(value), to_ms(f.get("value"))
    if a is None or b is None:
        a, b = str(value), str(f.get("value"))
    return {"EQ": a == b, "NEQ": a != b, "GT": a > b, "GTE": a >= b, "LT": a < b,
            "LTE": a <= b}.get(op, False)


def _shape(rec: dict, props: list[str]) -> dict:
    """A record as HubSpot sends it: only the asked-for properties it has (a property the
    record never had is left out; null and "" come back as they are)."""
    p = rec["properties"]
    out = {k: p[k] for k in props if k in p}
    out["hs_object_id"] = rec["id"]
    return {"id": rec["id"], "properties": out, "createdAt": iso(BASE_TIME),
            "updatedAt": p.get("hs_lastmodifieddate") or p.get("lastmodifieddate"),
            "archived": rec["archived"],
            **({"archivedAt": iso(CHANGE_TIME)} if rec["archived"] else {})}


def _error(message: str, category: str) -> dict:
    return {"status": "error", "message": message, "correlationId": "0b6c5d0e-fake",
            "category": category}


def _fault(kind: str) -> tuple[int, object, str | None]:
    if kind == "429":
        return 429, {"status": "error", "message": "You have reached your ten_secondly_rolling "
                     "limit.", "errorType": "RATE_LIMIT", "correlationId": "x",
                     "policyName": "TEN_SECONDLY_ROLLING", "groupName": "private-app"}, None
    if kind == "daily":
        return 429, {"status": "error", "message": "You have reached your daily limit.",
                     "errorType": "RATE_LIMIT", "correlationId": "x", "policyName": "DAILY",
                     "groupName": "private-app"}, None
    if kind in ("503", "500"):
        return int(kind), {"status": "error", "message": "Service Unavailable"}, None
    if kind == "401":
        return 401, _error("The OAuth token used to make this call expired.", "EXPIRED_AUTHENTICATION"), None
    if kind == "400":
        return 400, _error("Property values were not valid", "VALIDATION_ERROR"), None
    return 200, {"results": [], "paging": {"next": {"after": "999"}}}, kind  # drop / truncate


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as httpx expects
    timeout = 10  # a stuck client cannot hold a server thread for long
    disable_nagle_algorithm = True  # else headers and body wait 40 ms for a delayed ACK
    fake: FakeHubSpot

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        fake = self.fake
        if url.path.startswith("/_test/"):
            status, payload, fault = fake.control(method, url.path, query, body)
        else:
            hit = Hit(time.monotonic(), method, url.path, query, body)
            with fake.lock:
                fake.log.append(hit)
            status, payload, fault = fake.respond(method, url.path, query, body,
                                                  self.headers.get("Authorization"))
            hit.status = 0 if fault else status
            if isinstance(payload, dict) and isinstance(payload.get("results"), list):
                hit.results = len(payload["results"])
        data = json.dumps(payload).encode()
        if fault == "drop":  # close the socket without a response
            self.close_connection = True
            return
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        if not url.path.startswith("/_test/") and not url.path.endswith("/search"):
            with fake.lock:  # private apps get the daily figures; search answers carry none
                fake.daily_used += 1
                left = max(0, fake.daily_limit - fake.daily_used)
            self.send_header("X-HubSpot-RateLimit-Daily", str(fake.daily_limit))
            self.send_header("X-HubSpot-RateLimit-Daily-Remaining", str(left))
        self.end_headers()
        if fault == "truncate":  # promise the whole body, send half, hang up
            self.wfile.write(data[: len(data) // 2])
            self.close_connection = True
            return
        self.wfile.write(data)


RULES_TOML = """
[[rules]]
object = "deals"
require = ["amount", "closedate"]

[[rules]]
object = "deals"
require = ["hs_next_step"]
when = { field = "dealstage", in = ["presentationscheduled", "contractsent"] }

[[rules]]
object = "contacts"
require = ["phone", "jobtitle"]

[[rules]]
object = "companies"
require = ["industry"]
"""
# Owners as the small data set uses them: "" is no owner, "999" an owner HubSpot never listed.
OWNER_CYCLE = ("101", "102", "103", "104", "105", "106", "", "999", "101", "103")


def _blank(i: int, filled: str):
    """Every way HubSpot says "blank", by turns: key missing, null, "", a placeholder."""
    return {0: ..., 1: None, 2: "", 3: "n/a"}.get(i % 7, filled)


def seed(fake: FakeHubSpot, deals: int = 250, contacts: int = 120, companies: int = 30) -> None:
    """The tests' small org: six owners (one archived, one known by email only), records with
    no owner and with an owner nobody listed, and blanks of every kind."""
    fake.add_owner("101", "Ada", "Lovelace", "ada@example.com", "East")
    fake.add_owner("102", "Grace", "Hopper", "grace@example.com", "East")
    fake.add_owner("103", "Alan", "Turing", "alan@example.com", "West")
    fake.add_owner("104", "Edsger", "Dijkstra", "edsger@example.com", None)
    fake.add_owner("105", "Old", "Timer", "old@example.com", "West", archived=True)
    fake.add_owner("106", "", "", "nobody@example.com", "West")
    stages = ("appointmentscheduled", "presentationscheduled", "contractsent", "closedwon")
    for n in range(deals):
        props = {"hubspot_owner_id": OWNER_CYCLE[n % len(OWNER_CYCLE)], "dealname": f"Deal {n}",
                 "amount": _blank(n, "1000"), "closedate": _blank(n // 2, "2026-12-01"),
                 "dealstage": stages[n % 4], "hs_next_step": _blank(n // 3, "call them")}
        fake.add_record("deals", str(1000 + n), _drop(props),
                        modified=BASE_TIME + timedelta(minutes=n))
    for n in range(contacts):
        props = {"hubspot_owner_id": OWNER_CYCLE[(n + 3) % len(OWNER_CYCLE)],
                 "firstname": "" if n % 9 == 0 else f"First{n}", "lastname": f"Last{n}",
                 "email": f"c{n}@example.com", "phone": _blank(n, "555-0100"),
                 "jobtitle": _blank(n // 2, "Buyer")}
        if n % 9 == 0:
            props["lastname"] = None  # named by email only
        fake.add_record("contacts", str(5000 + n), _drop(props),
                        modified=BASE_TIME + timedelta(minutes=n))
    for n in range(companies):
        props = {"hubspot_owner_id": OWNER_CYCLE[(n + 5) % len(OWNER_CYCLE)],
                 "name": f"Company {n}", "domain": f"co{n}.example",
                 "industry": _blank(n, "SOFTWARE")}
        fake.add_record("companies", str(9000 + n), _drop(props),
                        modified=BASE_TIME + timedelta(minutes=n))


def _drop(props: dict) -> dict:
    return {k: v for k, v in props.items() if v is not ...}


def populate(fake: FakeHubSpot, records: int, owners: int = 60,
             objects: tuple[str, ...] = ("deals", "contacts", "companies")) -> None:
    """Deterministic data for the benchmark: `records` split over `objects`, about a quarter
    of them with a blank required field, a few owners archived."""
    teams = ["East", "West", "North"]
    for i in range(owners):
        fake.add_owner(str(100 + i), f"Rep{i}", "Example", f"rep{i}@example.com",
                       teams[i % 3], archived=i % 20 == 19)
    for k, obj in enumerate(objects):
        for n in range(records // len(objects) + (k < records % len(objects))):
            rid = str(1000 + n)
            blank = n % 4 == 0
            props = {"hubspot_owner_id": str(100 + n % owners), "description": "x",
                     "amount": None if blank else "100", "phone": "" if blank else "555",
                     "industry": None if n % 7 == 0 else "Software",
                     "dealname": f"Deal {n}", "firstname": f"F{n}", "lastname": "L",
                     "name": f"Co {n}"}
            fake.add_record(obj, rid, props, modified=BASE_TIME + timedelta(seconds=n + k))


def main(argv: list[str] | None = None) -> None:
    import argparse

    p = argparse.ArgumentParser()
    p.add_argument("--records", type=int, default=100_000)
    p.add_argument("--owners", type=int, default=60)
    args = p.parse_args(argv)
    fake = FakeHubSpot()
    populate(fake, args.records, args.owners)
    print(f"READY {fake.start()}", flush=True)
    sys.stdin.read()  # serve until the parent closes our stdin (or exits)
    fake.stop()


if __name__ == "__main__":
    main()
