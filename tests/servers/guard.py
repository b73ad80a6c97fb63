"""An autouse fixture for the connector tests: any attempt to resolve or reach a host other
than loopback fails the test at once, so no test can reach the internet, whatever URL it
configures. Import it into a test module: `from servers.guard import loopback_only`."""

from __future__ import annotations

import socket

import pytest

from chaser.connectors.http import is_loopback


class InternetAccess(RuntimeError):  # not an OSError: httpx must not turn it into a retry
    pass


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    real = socket.getaddrinfo

    def guarded(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if name is not None and not is_loopback(str(name)):
            raise InternetAccess(f"a test tried to reach {name!r}; tests stay on 127.0.0.1")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)
