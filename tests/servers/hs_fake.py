"""The fake HubSpot's state and request handling (tests/hubspot_server.py tells the whole
story): owners, records, scripted faults, the request log and the portal's rate limits."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import ThreadingHTTPServer

from servers import hs_routes
from servers.hs_base import BASE_TIME, CHANGE_TIME, PORTAL, TOGGLED, TOKEN, error, iso, modified_of
from servers.hs_limits import Limits


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
    limits: Limits = field(default_factory=Limits)  # the portal's, shared by every client

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
                  archived: bool = False, created: datetime | None = None) -> None:
        teams = [{"id": team.lower(), "name": team, "primary": True}] if team else []
        # createdAt: when the owner was made (ISO 8601 with milliseconds and "Z", as the
        # owners guide's example "2019-12-25T13:01:35.228Z"); spread by id unless given.
        made = created or BASE_TIME - timedelta(days=int(oid) % 97, minutes=int(oid) % 60)
        self.owners.append({"id": oid, "email": email, "firstName": first, "lastName": last,
                            "userId": int(oid), "type": "PERSON", "archived": archived,
                            "teams": teams, "createdAt": iso(made),
                            "updatedAt": iso(BASE_TIME)})

    def add_queue(self, oid: str, name: str) -> None:
        """An owner of type QUEUE (the owners spec: "either PERSON or QUEUE"): no user, no
        email, a name; records can be assigned to it like to a person."""
        self.owners.append({"id": oid, "firstName": name, "lastName": "", "type": "QUEUE",
                            "archived": False, "teams": [], "createdAt": iso(BASE_TIME),
                            "updatedAt": iso(BASE_TIME)})

    def add_record(self, obj: str, rid: str, props: dict, *, archived: bool = False,
                   modified: datetime | None = None) -> None:
        props = dict(props)
        props.setdefault(modified_of(obj), iso(modified or BASE_TIME))
        # createdate: some days before the last change, by id (no draw from any rng)
        props.setdefault("createdate", iso((modified or BASE_TIME) - timedelta(
            days=sum(map(ord, rid)) % 40, seconds=sum(map(ord, rid)) % 3600)))
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

    def remove(self, obj: str, rid: str, hard: bool) -> None:
        """Archive (the recycling bin: listed with archived=true), or delete outright, as a
        GDPR delete or a merge does: the record then appears in no list at all. Callers hold
        the lock (the HTTP routes) or own the fake (tests)."""
        if hard:
            del self.records[obj][rid]
            self._ids.pop(obj, None)
        else:
            self.records[obj][rid]["archived"] = True

    def delete_some(self, obj: str, count: int, hard: bool) -> list[str]:
        """Delete `count` live records of `obj`, spread evenly (the /_test/delete control)."""
        with self.lock:
            live = [str(i) for i in self.sorted_ids(obj)
                    if not self.records[obj][str(i)]["archived"]]
            picked = live[:: max(1, len(live) // max(count, 1))][:count]
            for rid in picked:
                self.remove(obj, rid, hard)
            return picked

    def fail(self, path: str, kind: str, times: int = 1, after: int = 0,
             method: str | None = None, echo: str | None = None, field: str = "message") -> None:
        self.faults.append(Fault(path, kind, times, after, method, echo, field))

    def hits(self, path: str = "", method: str | None = None) -> list[Hit]:
        return [h for h in self.log if path in h.path and method in (None, h.method)]

    def sorted_ids(self, obj: str) -> list[int]:
        ids = self._ids.get(obj)
        if ids is None:
            ids = self._ids[obj] = sorted(int(i) for i in self.records.get(obj, {}))
        return ids

    # ---- serving ------------------------------------------------------------------------
    def start(self, port: int = 0) -> str:
        from servers.hs_http import handler_for

        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler_for(self))  # loopback
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

    def respond(self, method: str, path: str, query: dict, body: dict | None, auth: str | None
                ) -> tuple[int, object, str | None, dict[str, str]]:
        """(status, JSON body, fault kind for the transport, headers) for one request. One
        lock for every connection: the rate window is the portal's, not a connection's."""
        with self.lock:
            now = time.monotonic()
            search = path.endswith("/search")
            status, payload, fault = self._answer(method, path, query, body, auth, now, search)
            headers: dict[str, str] = {}
            if not search:  # search answers carry no rate-limit headers at all
                self.daily_used += 1  # private apps get the daily figures too
                headers = {**self.limits.headers(now),
                           "X-HubSpot-RateLimit-Daily": str(self.daily_limit),
                           "X-HubSpot-RateLimit-Daily-Remaining":
                               str(max(0, self.daily_limit - self.daily_used))}
            return status, payload, fault, headers

    def _answer(self, method, path, query, body, auth, now: float, search: bool):
        if path.startswith("/crm/v3/objects/") and now < self.burst_until:
            self.burst_served += 1  # an outage: 429, 503, 429, ... until it ends
            return hs_routes.fault("429" if self.burst_served % 2 else "503")
        for f in self.faults:
            if f.path in path and f.method in (None, method) and f.times > 0:
                f.seen += 1
                if f.seen > f.after:
                    f.times -= 1
                    if f.echo:
                        from servers.echo import hs_echo_fault

                        return hs_echo_fault(f, (auth or "").removeprefix("Bearer "))
                    return hs_routes.fault(f.kind)
        if auth != f"Bearer {self.token}":
            return 401, error("Authentication credentials not found.",
                              "INVALID_AUTHENTICATION"), None
        refused = self.limits.admit(now, search)
        if refused is not None:
            return refused
        return hs_routes.route(self, method, path, query, body)

    # ---- test-only control, used by the benchmark --------------------------------------
    def control(self, method, path, query, body):
        if path == "/_test/change" and method == "POST":  # n records in all, spread evenly
            n = int((body or {}).get("count", query.get("count", 0)))
            objs = sorted(o for o in self.records if self.records[o])
            changed = {}
            for j, obj in enumerate(objs):
                share = n // len(objs) + (j < n % len(objs))
                table = self.records[obj]
                ids = [i for i in self.sorted_ids(obj) if not table[str(i)]["archived"]]
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
