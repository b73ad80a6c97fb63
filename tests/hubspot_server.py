"""A fake HubSpot on 127.0.0.1 that speaks enough of CRM v3 for the connector's tests and the
sync benchmarks, and behaves as HubSpot's own documents say the real one does:

- object lists (limit, after, properties, archived; the system properties come whatever is
  asked), search (filterGroups, one sort, limit <= 200, after, `total`, the per-query result
  cap), owners (archived; `type` PERSON or QUEUE), account details, bearer auth, HubSpot's
  error bodies (servers/hs_routes.py);
- the portal's rate limits, counted across every client and connection: a rolling 10-second
  window with X-HubSpot-RateLimit-* headers on every answer but search answers, 429
  TEN_SECONDLY_ROLLING bodies, and search's own per-second limit (servers/hs_limits.py);
- deletions both ways: archive (listed with archived=true) and hard deletes (GDPR delete,
  merges), after which a record appears in no list at all;
- scripted faults: 429 TEN_SECONDLY_ROLLING / DAILY, 503, a connection dropped before the
  response, and one cut off in the middle of the body (servers/hs_fake.py).

Every request is logged (time, method, path, query, body, status, results) so tests can count
exactly what the client asked for. Run it as a script, in its own process:

    python tests/hubspot_server.py --records 100000 [--owners 60] [--rate-max 100]
        [--rate-interval-ms 10000] [--search-per-second 4]

prints `READY <base url>` and serves until stdin closes. POST /_test/change {"count": n}
touches n records per object; GET /_test/log?since=i returns the log from entry i. To try
chaser against it by hand, `python -m tests.servers hubspot` (tests/servers/__main__.py) adds
more controls (faults, deletions, the rate window, request statistics: servers/admin.py).

The modules live in tests/servers/hs_*.py; this one keeps the names the tests import.
"""

from __future__ import annotations

import sys

from servers.hs_base import (  # noqa: F401 - the names the tests and benchmarks import
    BASE_TIME,
    CHANGE_TIME,
    PORTAL,
    TOKEN,
    iso,
    modified_of,
    to_ms,
)
from servers.hs_data import OWNER_CYCLE, QUEUE, RULES_TOML, populate, seed  # noqa: F401
from servers.hs_fake import FakeHubSpot, Fault, Hit  # noqa: F401
from servers.hs_limits import Limits  # noqa: F401


def main(argv: list[str] | None = None) -> None:
    import argparse

    p = argparse.ArgumentParser()
    p.add_argument("--records", type=int, default=100_000)
    p.add_argument("--owners", type=int, default=60)
    p.add_argument("--rate-max", type=int, default=100, help="requests per window (100)")
    p.add_argument("--rate-interval-ms", type=int, default=10_000, help="window (10000 ms)")
    p.add_argument("--search-per-second", type=int, default=4)
    args = p.parse_args(argv)
    fake = FakeHubSpot(limits=Limits(args.rate_max, args.rate_interval_ms,
                                     args.search_per_second))
    populate(fake, args.records, args.owners)
    print(f"READY {fake.start()}", flush=True)
    sys.stdin.read()  # serve until the parent closes our stdin (or exits)
    fake.stop()


if __name__ == "__main__":
    main()
