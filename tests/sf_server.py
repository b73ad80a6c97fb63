"""A loopback server that speaks enough of the Salesforce REST and Bulk API 2.0 protocol for
chaser's connector: OAuth token endpoint, userinfo, limits, describe, SOQL query/queryAll with
nextRecordsUrl cursors and nested relationship fields, Bulk query jobs with Sforce-Locator
paging, Sforce-Limit-Info on every answer, and injectable faults (error bodies, 401, 429, 5xx,
a connection dropped mid-body). The org lives in servers/sf_org.py, SOQL in servers/sf_soql.py.

Bound to 127.0.0.1 only, threads are daemons, idle connections time out after a few seconds,
and the whole server stops itself after `lifetime` seconds whatever the test does. To try
chaser against it by hand: `python -m tests.servers salesforce` (tests/servers/__main__.py);
its /_test/ control endpoints (change records, inject faults, read the log) are in
servers/admin.py.
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
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from servers.echo import echo, sf_echo_error, sf_echo_token
from servers.sf_org import (  # noqa: F401 - re-exported for tests and benchmarks
    CLIENT_ID,
    CLIENT_SECRET,
    ERROR_CODES,
    REFRESH,
    TOKEN,
    VERSION,
    Fault,
    Org,
    make_org,
)
from servers.sf_soql import _SOQL, SoqlError, _get, csv_cell, render, run_soql

# ---- the HTTP side -------------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 5  # an idle keep-alive connection frees its thread after this
    disable_nagle_algorithm = True  # headers and body go out as separate writes: no 40 ms stalls
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
        if parts.path.startswith("/_test/"):  # the tester's controls: not logged, not counted
            from servers.admin import sf_control

            self._send(*sf_control(self.org, method, parts.path, self.query), {}, False)
            return
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
        if fault is not None and fault.echo:
            said = echo(auth.removeprefix("Bearer "), fault.echo)
            if fault.field == "next":
                entry["echo_next"], fault = said, None  # served below, as a page
            else:
                return (*sf_echo_error(fault, said, path), headers)
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
            page = self._page(cursor, 0)
            entry["records"] = len(page["records"])
            if "echo_next" in entry:  # adversarial: a cursor that would carry the token
                page["done"] = False
                page["nextRecordsUrl"] = (f"/services/data/v{VERSION}/query/{cursor}-"
                                          f"{len(page['records'])}?access_token={entry['echo_next']}")
            return 200, page, headers
        if kind == "query-more":
            m = re.fullmatch(rf"{data}/query/(01g\w+)-(\d+)", path)
            if m[1] not in org.cursors:
                return 400, [{"message": "invalid query locator",
                              "errorCode": "INVALID_QUERY_LOCATOR"}], headers
            page = self._page(m[1], int(m[2]))
            entry["records"] = len(page["records"])
            return 200, page, headers
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
        if fault is not None and fault.echo:  # adversarial: the secrets sent, echoed back
            return (*sf_echo_token(fault, form), {})
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

    def __init__(self, org: Org, lifetime: float = 120.0, port: int = 0) -> None:
        self.org = org
        handler = type("BoundHandler", (Handler,), {"org": org})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)  # loopback only
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


# What `rules_from_describe = true` adds for the sample org (the fields its describe marks
# createable, not nillable, not defaulted): a CSV import needs them spelled out.
DESCRIBE_RULES = """
[[rules]]
object = "Opportunity"
require = ["Name", "StageName", "CloseDate"]

[[rules]]
object = "Account"
require = ["Name"]

[[rules]]
object = "Contact"
require = ["LastName"]

[[rules]]
object = "Lead"
require = ["LastName", "Company"]
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
