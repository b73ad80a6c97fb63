"""The fake HubSpot's HTTP side (tests/hubspot_server.py): one handler class per fake, logging
every API request and sending what FakeHubSpot.respond decides, headers included."""

from __future__ import annotations

import json
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit


def handler_for(fake) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        pass

    Handler.fake = fake
    return Handler


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as httpx expects
    timeout = 10  # a stuck client cannot hold a server thread for long
    disable_nagle_algorithm = True  # else headers and body wait 40 ms for a delayed ACK
    fake = None

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        from servers.hs_fake import Hit

        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        fake = self.fake
        headers: dict[str, str] = {}
        if url.path.startswith("/_test/"):  # the tester's controls: never logged nor counted
            status, payload, fault = fake.control(method, url.path, query, body)
        else:
            hit = Hit(time.monotonic(), method, url.path, query, body)
            with fake.lock:
                fake.log.append(hit)
            status, payload, fault, headers = fake.respond(
                method, url.path, query, body, self.headers.get("Authorization"))
            hit.status = 0 if fault else status
            if isinstance(payload, dict) and isinstance(payload.get("results"), list):
                hit.results = len(payload["results"])
        if fault == "drop":  # close the socket without a response
            self.close_connection = True
            return
        data = b"" if status == 204 else json.dumps(payload).encode()
        self.send_response(status)
        if status != 204:
            self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if fault == "truncate":  # promise the whole body, send half, hang up
            self.wfile.write(data[: len(data) // 2])
            self.close_connection = True
            return
        self.wfile.write(data)
