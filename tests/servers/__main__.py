"""Run a loopback CRM server by hand, to try chaser as a user would:

    .venv/bin/python -m tests.servers salesforce --records 20000 --export-csv /tmp/sf-csv
    .venv/bin/python -m tests.servers hubspot --records 3000 --export-csv /tmp/hs-csv

Prints the base URL (put it in chaser.toml as instance_url / base_url) and the access token the
server accepts, then serves on 127.0.0.1 until Ctrl-C or --max-seconds. --export-csv writes the
same records as CSV exports, a people file and a chaser.toml importing them with the same rules
(rules.toml holds the rules alone, for the API config). The /_test/ controls (change records,
faults, request statistics) are listed in tests/servers/admin.py.

Salesforce also prints the OAuth credentials it accepts (auth = "refresh_token" or
"client_credentials", with login_url = the same URL), and --rotate-refresh-tokens turns on
refresh-token rotation (each refresh answers a new refresh token; the old one stops working).
Its controls reach what issue 10 needs, e.g. with URL the printed base URL:

    curl -X POST "$URL/_test/delete?object=Account&count=5&hard=1"  # gone from query and queryAll
    curl -X POST "$URL/_test/delete?object=Lead&count=5"            # to the recycle bin
    curl -X POST "$URL/_test/purge?object=Lead"                     # ... and out of it
    curl -X POST "$URL/_test/age?object=Contact&days=365"           # newest row a year old
    curl -X POST "$URL/_test/limit?which=concurrent&times=3"        # ConcurrentRequests, 3 times
    curl -X POST "$URL/_test/limit?which=daily"                     # TotalRequests: the day spent
    curl -X POST "$URL/_test/rotation?on=1"                         # rotation on, while running
    curl -X POST "$URL/_test/cannot-edit?user=Rep%2003&fields=Account.Industry"  # profile FLS
    curl "$URL/_test/records"; curl "$URL/_test/jobs"               # rows, bin, unfinished jobs
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS))  # the servers import each other as top-level modules

OBJECTS = {"salesforce": ("Opportunity", "Account", "Contact", "Lead"),
           "hubspot": ("deals", "contacts", "companies")}


def split(total: int, objects: tuple[str, ...]) -> dict[str, int]:
    return {o: total // len(objects) + (i < total % len(objects)) for i, o in enumerate(objects)}


def salesforce(args) -> tuple[str, str, str, object]:
    from sf_server import DESCRIBE_RULES, RULES, TOKEN, SfServer, export_csv, make_org

    org = make_org(split(args.records, OBJECTS["salesforce"]), seed=args.seed)
    org.rotate_refresh = args.rotate_refresh_tokens
    if args.export_csv:
        folder = Path(args.export_csv)
        export_csv(org, folder, RULES + DESCRIBE_RULES)
        (folder / "rules.toml").write_text(RULES, encoding="utf-8")
    server = SfServer(org, lifetime=args.max_seconds, port=args.port).__enter__()
    return server.url, TOKEN, "instance_url", server.__exit__


def hubspot(args) -> tuple[str, str, str, object]:
    from hubspot_server import RULES_TOML, TOKEN, FakeHubSpot, seed

    from servers.hs_export import export_csv

    fake = FakeHubSpot()
    fake.live_clock = True
    seed(fake, **split(args.records, OBJECTS["hubspot"]))
    if args.export_csv:
        folder = Path(args.export_csv)
        export_csv(fake, folder, RULES_TOML)
        (folder / "rules.toml").write_text(RULES_TOML, encoding="utf-8")
    url = fake.start(port=args.port)
    return url, TOKEN, "base_url", lambda *_: fake.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.servers", description=(
        "Run a loopback Salesforce or HubSpot server (127.0.0.1 only) to try chaser by hand. "
        "Controls: tests/servers/admin.py."))
    ap.add_argument("crm", choices=sorted(OBJECTS))
    ap.add_argument("--records", type=int, default=2000, help="records in all (default 2000)")
    ap.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free one)")
    ap.add_argument("--max-seconds", type=float, default=600,
                    help="stop after this long whatever happens (default 600)")
    ap.add_argument("--seed", type=int, default=7, help="Salesforce sample org seed")
    ap.add_argument("--export-csv", metavar="DIR",
                    help="also write the data as CSV exports + chaser.toml into DIR")
    ap.add_argument("--rotate-refresh-tokens", action="store_true",
                    help="Salesforce: each refresh answers a new refresh token, the old one dies")
    args = ap.parse_args(argv)
    started = time.monotonic()
    url, token, key, stop = (salesforce if args.crm == "salesforce" else hubspot)(args)
    print(f"{args.crm} test server at {url}  (set {key} = \"{url}\")", flush=True)
    print(f"access token it accepts: {token}", flush=True)
    if args.crm == "salesforce":
        from sf_server import CLIENT_ID, CLIENT_SECRET, REFRESH

        rotation = "on" if args.rotate_refresh_tokens else "off (--rotate-refresh-tokens)"
        print(f"OAuth: login_url = \"{url}\", client_id = \"{CLIENT_ID}\"; refresh token "
              f"{REFRESH}, consumer secret {CLIENT_SECRET}; refresh-token rotation {rotation}",
              flush=True)
    if args.export_csv:
        print(f"CSV exports + chaser.toml in {args.export_csv}; the rules alone in "
              f"{Path(args.export_csv) / 'rules.toml'}", flush=True)
    print(f"controls: curl -X POST '{url}/_test/change?count=50', ... (tests/servers/admin.py); "
          f"stops in {args.max_seconds:g} s or on Ctrl-C", flush=True)
    try:
        while time.monotonic() - started < args.max_seconds:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        stop(None, None, None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
