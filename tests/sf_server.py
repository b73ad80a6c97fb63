"""A loopback server that speaks enough of the Salesforce REST and Bulk API 2.0 protocol for
chaser's connector: OAuth token endpoint, userinfo, limits, describe, SOQL query/queryAll with
nextRecordsUrl cursors and nested relationship fields, Bulk query jobs with Sforce-Locator
paging, Sforce-Limit-Info on every answer, and injectable faults (error bodies, 401, 429, 5xx,
a connection dropped mid-body).

Bound to 127.0.0.1 only, threads are daemons, idle connections time out after a few seconds,
and the whole server stops itself after `lifetime` seconds whatever the test does.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import socket
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

VERSION = "62.0"
TOKEN = "00Dtest!AQ-initial-access-token-7f3a9c"
REFRESH = "5Aep-refresh-token-cafe1234"
CLIENT_ID = "3MVG-client-id"
CLIENT_SECRET = "client-secret-beef5678"
BASE_TIME = datetime(2026, 11, 10, tzinfo=UTC)
PREFIX = {"User": "005", "Group": "00G", "Opportunity": "006", "Account": "001",
          "Contact": "003", "Lead": "00Q", "UserRole": "00E"}


def fld(name, type_="string", required=False, name_field=False, rel=None, ref=None,
        createable=True):
    return {"name": name, "type": type_, "createable": createable, "nillable": not required,
            "defaultedOnCreate": False, "nameField": name_field, "relationshipName": rel,
            "referenceTo": [ref] if ref else []}


def _common(owner=True):
    out = [fld("Id", "id", createable=False),
           fld("SystemModstamp", "datetime", createable=False),
           fld("IsDeleted", "boolean", createable=False)]
    if owner:
        out.append({**fld("OwnerId", "reference", rel="Owner", ref="User"),
                    "nillable": False, "defaultedOnCreate": True})
    return out


DESCRIBE_FIELDS = {
    "User": [*_common(False), fld("Name", name_field=True, createable=False), fld("Email"),
             fld("IsActive", "boolean"), fld("ManagerId", "reference", rel="Manager", ref="User"),
             fld("UserRoleId", "reference", rel="UserRole", ref="UserRole"), fld("Department"),
             fld("UserType", "picklist")],
    "Group": [*_common(False), fld("Name", name_field=True), fld("Type", "picklist")],
    "Opportunity": [*_common(), fld("Name", required=True, name_field=True),
                    fld("StageName", "picklist", required=True),
                    fld("CloseDate", "date", required=True), fld("Amount", "currency"),
                    fld("NextStep"), fld("AccountId", "reference", rel="Account", ref="Account")],
    "Account": [*_common(), fld("Name", required=True, name_field=True), fld("Industry"),
                fld("Phone"), fld("Website")],
    "Contact": [*_common(), fld("Name", name_field=True, createable=False),
                fld("LastName", required=True), fld("FirstName"), fld("Email"), fld("Phone"),
                fld("Title"), fld("AccountId", "reference", rel="Account", ref="Account")],
    "Lead": [*_common(), fld("Name", name_field=True, createable=False),
             fld("LastName", required=True), fld("Company", required=True), fld("Email"),
             fld("Phone"), fld("Status", "picklist"), fld("LeadSource", "picklist")],
}


def stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


@dataclass
class Fault:
    """Answer the `skip`+1st .. `skip`+`times`th request of `kind` (and object) with `action`:
    an HTTP status with Salesforce's error body, or "drop" (half the body, then hang up)."""

    kind: str
    action: int | str
    times: int = 1
    skip: int = 0
    object: str | None = None
    code: str | None = None
    retry_after: str | None = None
    seen: int = 0


ERROR_CODES = {400: "MALFORMED_QUERY", 401: "INVALID_SESSION_ID", 403: "REQUEST_LIMIT_EXCEEDED",
               404: "NOT_FOUND", 429: "REQUEST_LIMIT_EXCEEDED", 500: "UNKNOWN_EXCEPTION",
               503: "SERVER_UNAVAILABLE"}


class Org:
    """The org's data and the server's memory of what was asked."""

    def __init__(self, seed: int = 7) -> None:
        self.lock = threading.RLock()
        self.rng = random.Random(seed)
        self.data: dict[str, dict[str, dict]] = {o: {} for o in DESCRIBE_FIELDS}
        self.describes = {o: {"name": o, "fields": [dict(x) for x in f], "queryable": True}
                          for o, f in DESCRIBE_FIELDS.items()}
        self.unqueryable: set[str] = set()  # "Object.Field" the query side rejects
        self.tokens = {TOKEN}
        self.used, self.allowance = 1000, 15000
        self.log: list[dict] = []
        self.faults: list[Fault] = []
        self.cursors: dict[str, tuple] = {}
        self.jobs: dict[str, dict] = {}
        self.bulk_polls = 1  # "InProgress" answers before "JobComplete"
        self.bulk_page = 10_000  # most rows per Bulk results page
        self.clock = BASE_TIME
        self.me = {"user_id": "", "name": "Jane Admin", "email": "jane.admin@example.com"}

    def tick(self) -> str:
        self.clock += timedelta(seconds=1)
        return stamp(self.clock)

    def new_id(self, obj: str) -> str:
        return f"{PREFIX.get(obj, 'a00')}{len(self.data[obj]) + 1:015d}"

    def add(self, obj: str, **fields) -> dict:
        with self.lock:
            rec = {"Id": fields.pop("Id", None) or self.new_id(obj), "IsDeleted": False,
                   "SystemModstamp": self.tick(), **fields}
            self.data[obj][rec["Id"]] = rec
            return rec

    def change(self, obj: str, rec_id: str, **fields) -> None:
        with self.lock:
            self.data[obj][rec_id].update(fields, SystemModstamp=self.tick())

    def delete(self, obj: str, rec_id: str) -> None:
        with self.lock:
            self.data[obj][rec_id].update(IsDeleted=True, SystemModstamp=self.tick())

    # -- what was asked ------------------------------------------------------------------
    def count(self, kind: str | tuple[str, ...], obj: str | None = None, ok_only=True) -> int:
        kinds = (kind,) if isinstance(kind, str) else kind
        return sum(1 for e in self.log if e["kind"] in kinds and (obj is None or e["object"] == obj)
                   and (not ok_only or e["status"] < 300))

    def record_queries(self, obj: str) -> int:
        return self.count(("query", "query-more"), obj)

    def fault(self, kind: str, obj: str | None) -> Fault | None:
        with self.lock:
            for f in self.faults:
                if f.kind == kind and (f.object is None or f.object == obj) \
                        and f.seen < f.skip + f.times:
                    f.seen += 1
                    if f.seen > f.skip:
                        return f
        return None


# ---- a small SOQL --------------------------------------------------------------------------
_SOQL = re.compile(r"\s*SELECT\s+(?P<fields>.+?)\s+FROM\s+(?P<obj>\w+)"
                   r"(?:\s+WHERE\s+(?P<where>.+?))?\s*$", re.I | re.S)
_COND = re.compile(r"\s*([\w.]+)\s*(=|!=|>=|<=|>|<|\bIN\b)\s*(.+?)\s*$", re.I)


class SoqlError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _literal(text: str):
    text = text.strip()
    if text.startswith("("):
        return [_literal(t) for t in text.strip("()").split(",")]
    if text.startswith("'"):
        return text.strip("'")
    if re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)", text):
        return parse_time(text)
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if text.lower() == "null":
        return None
    raise SoqlError("MALFORMED_QUERY", f"unexpected token: {text}")


def parse_time(text: str) -> datetime:
    s = text.replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", s):
        s = f"{s[:-2]}:{s[-2:]}"
    return datetime.fromisoformat(s)


def _get(rec: dict, path: str):
    v = rec
    for seg in path.split("."):
        if not isinstance(v, dict):
            return None
        v = v.get(seg)
    return v


def _canon(org: Org, obj: str, path: str) -> str:
    fields = org.describes[obj]["fields"]
    head, _, rest = path.partition(".")
    if rest:
        rel = next((f["relationshipName"] for f in fields
                    if (f.get("relationshipName") or "").lower() == head.lower()), None)
        if rel is None:
            raise SoqlError("INVALID_FIELD", f"Didn't understand relationship '{head}' in field "
                            f"path. No such column '{head}' on entity '{obj}'.")
        return f"{rel}.{rest}"
    name = next((f["name"] for f in fields if f["name"].lower() == head.lower()), None)
    if name is None or f"{obj}.{name}" in org.unqueryable:
        raise SoqlError("INVALID_FIELD", f"\nSELECT {path}\n       ^\nERROR at Row:1:Column:8\n"
                        f"No such column '{path}' on entity '{obj}'.")
    return name


def run_soql(org: Org, soql: str, all_rows: bool) -> tuple[str, list[str], list[dict]]:
    m = _SOQL.match(soql)
    if not m:
        raise SoqlError("MALFORMED_QUERY", "unexpected token")
    obj = m["obj"]
    if obj not in org.describes:
        raise SoqlError("INVALID_TYPE", f"sObject type '{obj}' is not supported.")
    fields = [_canon(org, obj, f.strip()) for f in m["fields"].split(",")]
    conds = []
    for part in re.split(r"\s+AND\s+", m["where"] or "", flags=re.I) if m["where"] else []:
        c = _COND.match(part)
        if not c:
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: {part}")
        conds.append((_canon(org, obj, c[1]), c[2].upper(), _literal(c[3])))
    with org.lock:
        records = [r for r in org.data[obj].values()
                   if (all_rows or not r.get("IsDeleted")) and all(_test(r, *c) for c in conds)]
    return obj, fields, records


def _test(rec: dict, path: str, op: str, want) -> bool:
    have = _get(rec, path)
    if isinstance(want, datetime):
        have = parse_time(have) if have else None
        if have is None:
            return False
    if op == "=":
        return have == want
    if op == "!=":
        return have != want
    if op == "IN":
        return have in want
    return {">": have > want, "<": have < want, ">=": have >= want, "<=": have <= want}[op]


def render(obj: str, rec: dict, fields: list[str]) -> dict:
    out: dict = {"attributes": {"type": obj, "url": f"/services/data/v{VERSION}/sobjects/{obj}/"
                                                    f"{rec['Id']}"}}
    for f in fields:
        head, _, rest = f.partition(".")
        if not rest:
            out[f] = rec.get(f)
            continue
        sub = rec.get(head)
        if sub is None:
            out[head] = None
        else:
            node = out.setdefault(head, {"attributes": {"type": head, "url": "/x"}})
            node[rest] = sub.get(rest)
    return out


def csv_cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


# ---- the HTTP side -------------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 5  # an idle keep-alive connection frees its thread after this
    org: Org

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def _serve(self, method: str) -> None:
        parts = urlsplit(self.path)
        self.query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        entry = {"method": method, "path": parts.path, "kind": "other", "object": None,
                 "status": 0, "t": time.monotonic(), "query": self.query,
                 "ua": self.headers.get("User-Agent")}
        with self.org.lock:
            self.org.log.append(entry)
        try:
            status, payload, headers = self._route(method, parts.path, entry)
        except SoqlError as e:
            status, payload, headers = 400, [{"message": str(e), "errorCode": e.code}], {}
        entry["status"] = 599 if entry.get("drop") else status  # 599: hung up mid-body
        self._send(status, payload, headers, entry.get("drop", False))

    def _route(self, method: str, path: str, entry: dict):
        org = self.org
        if path == "/services/oauth2/token" and method == "POST":
            entry["kind"] = "token"
            return self._token()
        auth = self.headers.get("Authorization", "")
        data = f"/services/data/v{VERSION}"
        if path == "/services/oauth2/userinfo":
            entry["kind"] = "userinfo"
        elif path == f"{data}/limits":
            entry["kind"] = "limits"
        elif m := re.fullmatch(rf"{data}/sobjects/(\w+)/describe", path):
            entry["kind"], entry["object"] = "describe", m[1]
        elif path in (f"{data}/query", f"{data}/queryAll"):
            entry["kind"] = "query"
            m = _SOQL.match(self.query.get("q", ""))
            entry["object"] = m["obj"] if m else None
        elif m := re.fullmatch(rf"{data}/query/(01g\w+)-(\d+)", path):
            entry["kind"] = "query-more"
            entry["object"] = org.cursors.get(m[1], ("?",))[0]
        elif m := re.fullmatch(rf"{data}/jobs/query(?:/(750\w+)(/results)?)?", path):
            entry["kind"] = ("bulk-create" if m[1] is None else "bulk-results" if m[2]
                             else "bulk-abort" if method == "PATCH" else "bulk-poll")
            job = org.jobs.get(m[1] or "")
            entry["object"] = job["object"] if job else None
            if entry["kind"] == "bulk-create":
                q = _SOQL.match(json.loads(self.body or b"{}").get("query", ""))
                entry["object"] = q["obj"] if q else None
        with org.lock:
            org.used += 1
        headers = {"Sforce-Limit-Info": f"api-usage={org.used}/{org.allowance}"}
        if auth.removeprefix("Bearer ") not in org.tokens:
            return 401, [{"message": "Session expired or invalid",
                          "errorCode": "INVALID_SESSION_ID"}], headers
        fault = org.fault(entry["kind"], entry["object"])
        if fault is not None:
            if fault.action == "drop":
                entry["drop"] = True
            else:
                if fault.action == 401:
                    org.tokens.clear()  # the session really is gone: a retry alone won't do
                if fault.retry_after:
                    headers["Retry-After"] = fault.retry_after
                code = fault.code or ERROR_CODES.get(fault.action, "UNKNOWN_EXCEPTION")
                return fault.action, [{"message": f"injected {code}", "errorCode": code}], headers
        kind = entry["kind"]
        if kind == "userinfo":
            return 200, org.me, headers
        if kind == "limits":
            return 200, {"DailyApiRequests": {"Max": org.allowance,
                                              "Remaining": org.allowance - org.used}}, headers
        if kind == "describe":
            d = org.describes.get(entry["object"])
            if d is None:
                return 404, [{"message": "The requested resource does not exist",
                              "errorCode": "NOT_FOUND"}], headers
            return 200, d, headers
        if kind == "query":
            obj, fields, records = run_soql(org, self.query.get("q", ""), path.endswith("queryAll"))
            cursor = f"01g{len(org.cursors) + 1:012d}"
            with org.lock:
                org.cursors[cursor] = (obj, fields, records, self._batch())
            entry["rows"] = len(records)
            return 200, self._page(cursor, 0), headers
        if kind == "query-more":
            m = re.fullmatch(rf"{data}/query/(01g\w+)-(\d+)", path)
            if m[1] not in org.cursors:
                return 400, [{"message": "invalid query locator",
                              "errorCode": "INVALID_QUERY_LOCATOR"}], headers
            return 200, self._page(m[1], int(m[2])), headers
        if kind.startswith("bulk"):
            return self._bulk(kind, path, headers)
        return 404, [{"message": "The requested resource does not exist",
                      "errorCode": "NOT_FOUND"}], headers

    def _batch(self) -> int:
        m = re.search(r"batchSize=(\d+)", self.headers.get("Sforce-Query-Options", ""))
        return max(200, min(2000, int(m[1]))) if m else 2000

    def _page(self, cursor: str, offset: int) -> dict:
        obj, fields, records, size = self.org.cursors[cursor]
        chunk = records[offset:offset + size]
        done = offset + size >= len(records)
        body = {"totalSize": len(records), "done": done,
                "records": [render(obj, r, fields) for r in chunk]}
        if not done:
            body["nextRecordsUrl"] = f"/services/data/v{VERSION}/query/{cursor}-{offset + size}"
        return body

    def _bulk(self, kind: str, path: str, headers: dict):
        org = self.org
        if kind == "bulk-create":
            spec = json.loads(self.body or b"{}")
            obj, fields, records = run_soql(org, spec.get("query", ""),
                                            spec.get("operation") == "queryAll")
            job_id = f"750{len(org.jobs) + 1:012d}"
            with org.lock:
                org.jobs[job_id] = {"id": job_id, "object": obj, "fields": fields,
                                    "records": records, "polls": 0, "state": "UploadComplete"}
            return 200, {"id": job_id, "state": "UploadComplete", "object": obj}, headers
        job_id = path.split("/")[6]
        job = org.jobs[job_id]
        if kind == "bulk-abort":
            job["state"] = "Aborted"
            return 200, {"id": job_id, "state": "Aborted"}, headers
        if kind == "bulk-poll":
            job["polls"] += 1
            if job["state"] != "Aborted":
                job["state"] = "JobComplete" if job["polls"] > org.bulk_polls else "InProgress"
            return 200, {"id": job_id, "state": job["state"],
                         "numberRecordsProcessed": len(job["records"])}, headers
        start = int(self.query.get("locator") or 0)
        size = min(int(self.query.get("maxRecords") or org.bulk_page), org.bulk_page)
        chunk = job["records"][start:start + size]
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(job["fields"])
        w.writerows([csv_cell(_get(r, f)) for f in job["fields"]] for r in chunk)
        more = start + size < len(job["records"])
        headers.update({"Sforce-Locator": str(start + size) if more else "null",
                        "Sforce-NumberOfRecords": str(len(chunk)), "Content-Type": "text/csv"})
        return 200, out.getvalue(), headers

    def _token(self):
        form = {k: v[-1] for k, v in parse_qs(self.body.decode()).items()}
        org = self.org
        ok = form.get("client_id") == CLIENT_ID and (
            (form.get("grant_type") == "refresh_token" and form.get("refresh_token") == REFRESH)
            or (form.get("grant_type") == "client_credentials"
                and form.get("client_secret") == CLIENT_SECRET))
        fault = org.fault("token", None)
        if fault is not None:
            return fault.action, {"error": "temporarily_unavailable"}, {}
        if not ok:
            return 400, {"error": "invalid_grant",
                         "error_description": "expired access/refresh token"}, {}
        token = f"00Dtest!AQ-fresh-{len(org.tokens) + len(org.log)}-{random.getrandbits(32):x}"
        with org.lock:
            org.tokens.add(token)
        return 200, {"access_token": token, "instance_url": "http://ignored.example",
                     "token_type": "Bearer"}, {}

    def _send(self, status: int, payload, headers: dict, drop: bool) -> None:
        if isinstance(payload, str):
            body = payload.encode()
            ctype = headers.pop("Content-Type", "text/plain")
        else:
            body = json.dumps(payload).encode()
            ctype = "application/json;charset=UTF-8"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        if drop:  # hang up halfway through the body
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.wfile.write(body)


class SfServer:
    """`with SfServer(org) as server:` serves `org` at server.url until the block ends (or
    `lifetime` seconds pass)."""

    def __init__(self, org: Org, lifetime: float = 120.0) -> None:
        self.org = org
        handler = type("BoundHandler", (Handler,), {"org": org})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._timer = threading.Timer(lifetime, self.httpd.shutdown)
        self._timer.daemon = True

    def __enter__(self) -> SfServer:
        self._thread.start()
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)


# ---- a sample org --------------------------------------------------------------------------

TEAMS = ("East", "West", "Central")


def make_org(counts: dict[str, int] | int = 50, seed: int = 7) -> Org:
    """Users in three teams (one inactive, one automated user), a lead queue, and records with
    blanks, placeholders and null relationships, all deterministic for `seed`."""
    org = Org(seed)
    rng = org.rng
    if isinstance(counts, int):
        counts = {o: counts for o in ("Opportunity", "Account", "Contact", "Lead")}
    managers = []
    for i, team in enumerate(TEAMS):
        managers.append(org.add("User", Name=f"Manager {team}", Email=f"mgr{i}@example.com",
                                IsActive=True, Manager=None, UserRole={"Name": f"{team} Manager"},
                                Department=team, UserType="Standard"))
    reps = []
    for i in range(9):
        team = TEAMS[i % 3]
        mgr = managers[i % 3]
        reps.append(org.add("User", Name=f"Rep {i:02d}", Email=f"rep{i}@example.com",
                            IsActive=i != 8, ManagerId=mgr["Id"], Manager={"Name": mgr["Name"]},
                            UserRole={"Name": f"{team} Sales"} if i != 7 else None,
                            Department=team, UserType="Standard"))
    org.add("User", Name="Automated Process", Email=None, IsActive=True, Manager=None,
            UserRole=None, Department=None, UserType="AutomatedProcess")
    org.me["user_id"] = managers[0]["Id"]
    queue = org.add("Group", Name="Lead Inbox", Type="Queue")
    org.add("Group", Name="All Sales", Type="Regular")
    owners = [*reps, *reps, managers[0]]

    def maybe(value, p_blank=0.2):
        r = rng.random()
        if r < p_blank:
            return None
        if r < p_blank + 0.03:
            return "TBD"
        return value

    accounts = []
    for i in range(counts.get("Account", 0)):
        o = rng.choice(owners)
        accounts.append(org.add("Account", OwnerId=o["Id"], Owner={"Name": o["Name"]},
                                Name=f"Account {i}", Industry=maybe("Tech"),
                                Phone=maybe(f"+1 555 {i:04d}"), Website=maybe(f"a{i}.example")))
    for i in range(counts.get("Opportunity", 0)):
        o = rng.choice(owners)
        acct = rng.choice(accounts) if accounts and rng.random() > 0.1 else None
        org.add("Opportunity", OwnerId=o["Id"], Owner={"Name": o["Name"]}, Name=f"Deal {i}",
                StageName=rng.choice(["Prospecting", "Closed Won", "Negotiation"]),
                CloseDate=maybe("2026-12-01", 0.05), Amount=maybe(1000.0 + i),
                NextStep=maybe("Call back"), AccountId=acct["Id"] if acct else None,
                Account={"Name": acct["Name"]} if acct else None)
    for i in range(counts.get("Contact", 0)):
        o = rng.choice(owners)
        acct = rng.choice(accounts) if accounts and rng.random() > 0.1 else None
        org.add("Contact", OwnerId=o["Id"], Owner={"Name": o["Name"]}, Name=f"Pat Smith{i}",
                LastName=f"Smith{i}", FirstName="Pat", Email=maybe(f"c{i}@example.com"),
                Phone=maybe("+1 555 0000"), Title=maybe("VP"),
                AccountId=acct["Id"] if acct else None,
                Account={"Name": acct["Name"]} if acct else None)
    for i in range(counts.get("Lead", 0)):
        o = queue if rng.random() < 0.1 else rng.choice(owners)
        org.add("Lead", OwnerId=o["Id"], Owner={"Name": o["Name"]}, Name=f"Lee Jones{i}",
                LastName=f"Jones{i}", Company=maybe(f"Co {i}", 0.05),
                Email=maybe(f"l{i}@example.com"), Phone=maybe("+1 555 1111"),
                Status="Open", LeadSource=maybe("Web"))
    return org


def sf_config(path: Path, url: str, rules: str = "", **sf) -> Path:
    """Write a chaser.toml for the org at `url`; `sf` overrides [source.salesforce] keys."""
    table = {"instance_url": url, "api_version": VERSION, "timeout": 5, **sf}
    lines = ["[source]", 'kind = "salesforce"', "", "[source.salesforce]"]
    lines += [f"{k} = {json.dumps(v)}" for k, v in table.items()]
    path.write_text("\n".join(lines) + "\n\n" + rules, encoding="utf-8")
    return path


RULES = """
[[rules]]
object = "Opportunity"
require = ["Amount", "NextStep", "Account.Name"]

[[rules]]
object = "Opportunity"
require = ["CloseDate"]
when = { field = "StageName", in = ["Negotiation", "Closed Won"] }

[[rules]]
object = "Account"
require = ["Industry", "Phone"]

[[rules]]
object = "Contact"
require = ["Email", "Title", "Account.Name"]

[[rules]]
object = "Lead"
require = ["Email", "Phone", "LeadSource"]
"""


def scaled(factor: float) -> dict:
    """Http options that run the policy's clock `factor` times faster than real time: backoff
    and the 10-second rate window shrink alike, so tests stay quick yet exercise real timing."""
    return {"sleep": lambda s: time.sleep(s / factor), "clock": lambda: time.monotonic() * factor}


def export_csv(org: Org, folder: Path, rules_text: str = "") -> Path:
    """The same org as CSV report exports (one file per object + a people file) and a
    chaser.toml reading them: the ground truth the Salesforce path must match."""
    folder.mkdir(parents=True, exist_ok=True)
    columns = {"Opportunity": ["Id", "OwnerId", "Name", "StageName", "CloseDate", "Amount",
                               "NextStep", "Account.Name"],
               "Account": ["Id", "OwnerId", "Name", "Industry", "Phone"],
               "Contact": ["Id", "OwnerId", "Name", "LastName", "Email", "Title", "Account.Name"],
               "Lead": ["Id", "OwnerId", "Name", "LastName", "Company", "Email", "Phone",
                        "LeadSource"]}
    lines = ["[source]", 'kind = "csv"', ""]
    for obj, cols in columns.items():
        with open(folder / f"{obj}.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(cols)
            w.writerows([csv_cell(_get(r, c)) for c in cols]
                        for r in org.data[obj].values() if not r["IsDeleted"])
        lines += ["[[source.csv.objects]]", f'object = "{obj}"', f'path = "{obj}.csv"',
                  'id = "Id"', 'owner = "OwnerId"', 'name = "Name"', ""]
    with open(folder / "people.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Id", "Name", "Email", "Team", "Manager", "Active"])
        for u in org.data["User"].values():
            if u.get("UserType") == "Standard":
                w.writerow([u["Id"], u["Name"], u["Email"] or "",
                            _get(u, "UserRole.Name") or "", _get(u, "Manager.Name") or "",
                            "true" if u["IsActive"] else "false"])
    lines += ["[source.csv.people]", 'path = "people.csv"', 'key = "Id"', 'name = "Name"',
              'email = "Email"', 'team = "Team"', 'manager = "Manager"', 'active = "Active"', ""]
    path = folder / "chaser.toml"
    path.write_text("\n".join(lines) + rules_text, encoding="utf-8")
    return path
