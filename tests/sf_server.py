"""A loopback server that speaks enough of the Salesforce REST and Bulk API 2.0 protocol for
chaser's connector: OAuth token endpoint (servers/sf_auth.py: refresh-token rotation, the
answer's instance_url), userinfo, limits, describe (with compound address / location fields),
SOQL query/queryAll with nextRecordsUrl cursors, nested relationship fields and COUNT(), Bulk
query jobs with Sforce-Locator paging and job deletion (servers/sf_jobs.py), Sforce-Limit-Info
on every answer, the daily allowance enforced (403 REQUEST_LIMIT_EXCEEDED "TotalRequests Limit
exceeded." once used >= allowance), and injectable faults (error bodies, 401, 429, 5xx, the
concurrent-request limit, a connection dropped mid-body). The org, its recycle bin and hard
deletes live in servers/sf_org.py, SOQL in servers/sf_soql.py.

Bound to 127.0.0.1 only, threads are daemons, idle connections time out after a few seconds,
and the whole server stops itself after `lifetime` seconds whatever the test does. To try
chaser against it by hand: `python -m tests.servers salesforce` (tests/servers/__main__.py);
its /_test/ control endpoints (change, delete, purge and age records, inject faults, read the
log) are in servers/admin.py.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from servers.echo import echo, sf_echo_error
from servers.sf_auth import token
from servers.sf_jobs import bulk
from servers.sf_org import (  # noqa: F401 - re-exported for tests and benchmarks
    CLIENT_ID,
    CLIENT_SECRET,
    CONCURRENT_LIMIT,
    DAILY_LIMIT,
    ERROR_CODES,
    ERROR_MESSAGES,
    REFRESH,
    TOKEN,
    VERSION,
    Fault,
    Org,
    concurrent_limit,
    make_org,
)
from servers.sf_sample import DESCRIBE_RULES, RULES, export_csv  # noqa: F401 - re-exported
from servers.sf_soql import _SOQL, COUNT, SoqlError, render, run_soql

NOT_FOUND = [{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}]
_JOBS = re.compile(rf"/services/data/v{re.escape(VERSION)}/jobs/query(?:/(750\w+)(/results)?)?")

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

    def do_DELETE(self) -> None:
        self._serve("DELETE")

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
                 "ua": self.headers.get("User-Agent"), "host": self.headers.get("Host")}
        with self.org.lock:
            self.org.log.append(entry)
        try:
            status, payload, headers = self._route(method, parts.path, entry)
        except SoqlError as e:
            status, payload, headers = 400, [{"message": str(e), "errorCode": e.code}], {}
        entry["status"] = 599 if entry.get("drop") else status  # 599: hung up mid-body
        self._send(status, payload, headers, entry.get("drop", False))

    def _kind(self, method: str, path: str, entry: dict) -> None:
        org, data = self.org, f"/services/data/v{VERSION}"
        if path == "/services/oauth2/userinfo":
            entry["kind"] = "userinfo"
        elif path == f"{data}/limits":
            entry["kind"] = "limits"
        elif m := re.fullmatch(rf"{data}/sobjects/(\w+)/describe", path):
            entry["kind"], entry["object"] = "describe", m[1]
        elif path in (f"{data}/query", f"{data}/queryAll"):
            m = _SOQL.match(self.query.get("q", ""))
            entry["object"] = m["obj"] if m else None
            counting = m is not None and re.fullmatch(r"\s*COUNT\(\s*\)\s*", m["fields"], re.I)
            entry["kind"] = "count" if counting else "query"
        elif m := re.fullmatch(rf"{data}/query/(01g\w+)-(\d+)", path):
            entry["kind"] = "query-more"
            entry["object"] = org.cursors.get(m[1], ("?",))[0]
        elif m := _JOBS.fullmatch(path):
            entry["kind"] = ("bulk-create" if m[1] is None else "bulk-results" if m[2]
                             else {"PATCH": "bulk-abort", "DELETE": "bulk-delete"}.get(
                                 method, "bulk-poll"))
            job = org.jobs.get(m[1] or "")
            entry["object"] = job["object"] if job else None
            if entry["kind"] == "bulk-create":
                q = _SOQL.match(json.loads(self.body or b"{}").get("query", ""))
                entry["object"] = q["obj"] if q else None

    def _route(self, method: str, path: str, entry: dict):
        org = self.org
        if path == "/services/oauth2/token" and method == "POST":
            entry["kind"] = "token"
            return token(org, self.body, f"http://127.0.0.1:{self.server.server_address[1]}")
        auth = self.headers.get("Authorization", "")
        self._kind(method, path, entry)
        with org.lock:
            spent = org.used >= org.allowance
            org.used += not spent  # a refused call is not counted
            headers = {"Sforce-Limit-Info": f"api-usage={org.used}/{org.allowance}"}
        if auth.removeprefix("Bearer ") not in org.tokens:
            return 401, [{"message": "Session expired or invalid",
                          "errorCode": "INVALID_SESSION_ID"}], headers
        if spent:
            return 403, [{"message": DAILY_LIMIT, "errorCode": "REQUEST_LIMIT_EXCEEDED"}], headers
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
                message = fault.message or ERROR_MESSAGES.get(code, f"injected {code}")
                return fault.action, [{"message": message, "errorCode": code}], headers
        kind = entry["kind"]
        if kind == "userinfo":
            return 200, org.me, headers
        if kind == "limits":
            return 200, {"DailyApiRequests": {"Max": org.allowance,
                                              "Remaining": org.allowance - org.used}}, headers
        if kind == "describe":
            d = org.describes.get(entry["object"])
            return (200, d, headers) if d is not None else (404, NOT_FOUND, headers)
        if kind in ("query", "count"):
            obj, fields, records = run_soql(org, self.query.get("q", ""), path.endswith("queryAll"))
            entry["rows"] = len(records)
            if fields == [COUNT]:
                # "For COUNT(), the size field of the QueryResult object returns the number of
                # rows ... The records field returns null" (SOQL and SOSL Reference); over REST
                # that is an empty list.
                return 200, {"totalSize": len(records), "done": True, "records": []}, headers
            with org.lock:
                cursor = f"01g{len(org.cursors) + 1:012d}"
                org.cursors[cursor] = (obj, fields, records, self._batch())
            page = self._page(cursor, 0)
            entry["records"] = len(page["records"])
            if "echo_next" in entry:  # adversarial: a cursor that would carry the token
                page["done"] = False
                page["nextRecordsUrl"] = (f"/services/data/v{VERSION}/query/{cursor}-"
                                          f"{len(page['records'])}?access_token={entry['echo_next']}")
            return 200, page, headers
        if kind == "query-more":
            m = re.fullmatch(rf"/services/data/v{VERSION}/query/(01g\w+)-(\d+)", path)
            if m[1] not in org.cursors:
                return 400, [{"message": "invalid query locator",
                              "errorCode": "INVALID_QUERY_LOCATOR"}], headers
            page = self._page(m[1], int(m[2]))
            entry["records"] = len(page["records"])
            return 200, page, headers
        if kind.startswith("bulk"):
            return bulk(org, kind, method, path, self.query, self.body, headers)
        return 404, NOT_FOUND, headers

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

    def _send(self, status: int, payload, headers: dict, drop: bool) -> None:
        if status == 204:  # No Content: no body, no type
            body, ctype = b"", None
        elif isinstance(payload, str):
            body = payload.encode()
            ctype = headers.pop("Content-Type", "text/plain")
        else:
            body = json.dumps(payload).encode()
            ctype = "application/json;charset=UTF-8"
        self.send_response(status)
        if ctype:
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


def scaled(factor: float) -> dict:
    """Http options that run the policy's clock `factor` times faster than real time: backoff
    and the 10-second rate window shrink alike, so tests stay quick yet exercise real timing."""
    return {"sleep": lambda s: time.sleep(s / factor), "clock": lambda: time.monotonic() * factor}
