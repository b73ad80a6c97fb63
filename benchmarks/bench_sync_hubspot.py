"""What does a HubSpot sync of 100,000 records cost: requests, wall time, peak memory? And do
syncs that start inside each other's rate window draw any 429?

Starts the loopback fake HubSpot (tests/hubspot_server.py) in its own process with the records
split over deals, contacts and companies, then runs, each in a fresh child process so peak RSS
is the sync's own: a full sync, then an incremental sync after `--changes` records changed
(which must fetch only those), then a forced full sync (`--full`) on top of the cache.

Then the pacing part (skip it with --pace-records 0): a second fake with HubSpot's own window
(100 requests per 10 s, counted across every client) and `--pace-records` records, and the
real `chaser sync` CLI as subprocesses (CHASER_HOME in a temp folder, the token in
CHASER_HUBSPOT_TOKEN): a second full sync started 2 s after the first (the two overlap), and
three full syncs back to back. The figure is the number of answers with status 429: the
client reads X-HubSpot-RateLimit-* on every answer and waits out a spent window.

    .venv/bin/python benchmarks/bench_sync_hubspot.py [--records 100000] [--changes 50]
        [--rate 0] [--pace-records 10000]

--rate is requests per 10 s; 0 (the default) lifts the client's limit, and the fake's, so the
figures are the client's own cost, and the time HubSpot's limit (100 or 190 per 10 s) would
add is printed beside them. Prints figures; it is not a test. Data lives in temp folders,
removed after.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RULES = """
[[rules]]
object = "deals"
require = ["amount", "phone"]

[[rules]]
object = "contacts"
require = ["phone", "industry"]

[[rules]]
object = "companies"
require = ["industry", "amount"]
"""


def phase(args: argparse.Namespace) -> None:
    """One sync in this (child) process; prints a JSON line of figures."""
    import dataclasses

    import keyring
    import keyring.backends.fail

    from chaser import clock, config, sync
    from chaser.connectors import hubspot
    from chaser.store import Store

    keyring.set_keyring(keyring.backends.fail.Keyring())  # never the machine's keyring
    os.environ["CHASER_HUBSPOT_TOKEN"] = "pat-na1-11111111-2222-3333-4444-555555555555"
    path = Path(args.home) / "chaser.toml"
    path.write_text(f'[source]\nkind = "hubspot"\n[source.hubspot]\nbase_url = "{args.url}"\n'
                    f"{RULES}", encoding="utf-8")
    settings = config.load(path)
    rate = args.rate or 1_000_000  # 0: no client-side limit
    settings = dataclasses.replace(settings, connector=dataclasses.replace(
        settings.connector, rate_limit_per_10s=rate))
    made: list = []

    def factory(s, *, cache_root, now, full=False):
        made.append(hubspot.HubSpotConnector(s, cache_root, now=now, full=full))
        return made[-1]

    hubspot.connector = factory
    store = Store(Path(args.home) / "data")
    t = time.perf_counter()
    result = sync.sync(settings, store, now=clock.now(), full=args.phase == "forced")
    wall = time.perf_counter() - t
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"wall": wall, "requests": made[0].http.requests,
                      "retries": made[0].http.retries, "rss_mib": rss_kib / 1024,
                      "records": result.snapshot.records, "gaps": len(result.snapshot.gaps),
                      "notes": list(result.notes)}))


def run_phase(name: str, url: str, home: str, rate: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--phase", name, "--url", url,
                          "--home", home, "--rate", str(rate)],
                         capture_output=True, text=True, check=False)
    if out.returncode:
        sys.exit(f"phase {name} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def control(url: str, path: str, body: dict | None = None):
    import httpx

    r = httpx.request("POST" if body is not None else "GET", url + path, json=body, timeout=60)
    r.raise_for_status()
    return r.json()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--changes", type=int, default=50)
    ap.add_argument("--rate", type=int, default=0, help="requests per 10 s (0: unlimited)")
    ap.add_argument("--pace-records", type=int, default=10_000,
                    help="records for the 429 part (0: skip it)")
    ap.add_argument("--phase", choices=["full", "incremental", "forced"], help=argparse.SUPPRESS)
    ap.add_argument("--url", help=argparse.SUPPRESS)
    ap.add_argument("--home", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        return phase(args)

    env = {**os.environ, "CHASER_NOW": "2026-11-20T09:00:00+00:00"}
    os.environ.update(env)
    print(f"machine:  {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}")
    # rate 0: the fake's window lifted too, else the client would pace to its headers
    server, url = start_server(args.records, 1_000_000 if not args.rate else 100)
    try:
        print(f"data:     {args.records:,} records over deals/contacts/companies, 60 owners; "
              f"client rate {'unlimited' if not args.rate else f'{args.rate}/10 s'}")
        with tempfile.TemporaryDirectory(prefix="chaser-bench-") as home:
            for name in ("full", "incremental", "forced"):
                if name == "incremental":
                    control(url, "/_test/change", {"count": args.changes})
                mark = len(control(url, "/_test/log"))
                r = run_phase(name, url, home, args.rate)
                log = control(url, f"/_test/log?since={mark}")
                found = sum(n for m, p, _, _, n in log if p.endswith("/search"))
                lists_ = sum(1 for m, p, a, _, _ in log if "/objects/" in p and a == "false")
                at100, at190 = r["requests"] / 10, r["requests"] / 19
                print(f"{name:<12} {r['requests']:>6,} requests ({lists_:,} list pages, "
                      f"{found:,} records found by search), {r['wall']:6.2f} s wall, peak RSS "
                      f"{r['rss_mib']:.0f} MiB; {r['records']:,} records, {r['gaps']:,} gaps; "
                      f"HubSpot's rate limit alone needs ≥ {at100:.0f} s at 100/10 s, "
                      f"{at190:.0f} s at 190/10 s")
    finally:
        server.stdin.close()
        server.wait(timeout=30)
    if args.pace_records:
        pacing(args.pace_records)


def start_server(records: int, rate_max: int) -> tuple[subprocess.Popen, str]:
    server = subprocess.Popen([sys.executable, str(ROOT / "tests" / "hubspot_server.py"),
                               "--records", str(records), "--rate-max", str(rate_max)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = server.stdout.readline()
    if not line.startswith("READY "):
        sys.exit(f"the fake HubSpot did not start: {line!r}")
    return server, line.split()[1]


def cli_sync(url: str, home: Path) -> subprocess.Popen:
    """`chaser sync --full` as a user runs it, in its own process and CHASER_HOME."""
    home.mkdir(parents=True, exist_ok=True)
    cfg = home / "chaser.toml"
    cfg.write_text(f'[source]\nkind = "hubspot"\n[source.hubspot]\nbase_url = "{url}"\n'
                   f"{RULES}", encoding="utf-8")
    env = {**os.environ, "CHASER_HOME": str(home), "PYTHONPATH": str(ROOT),
           "CHASER_HUBSPOT_TOKEN": "pat-na1-11111111-2222-3333-4444-555555555555",
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}  # never the machine's
    return subprocess.Popen([sys.executable, "-m", "chaser", "sync", "--full", "--config",
                             str(cfg)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=home)


def finish(proc: subprocess.Popen, started: float) -> str:
    out, err = proc.communicate(timeout=900)
    if proc.returncode:
        sys.exit(f"chaser sync failed:\n{err}")
    m = re.search(r"HubSpot: ([\d,]+) requests \((\d+) retried\)", out)
    return f"{m[1]} requests, {m[2]} retried, {time.monotonic() - started:.1f} s" if m else "?"


def pacing(records: int) -> None:
    server, url = start_server(records, 100)  # HubSpot's window: 100 per 10 s
    try:
        print(f"pacing:   {records:,} records, the fake counting 100 requests per 10 s across "
              "all clients; each sync is `chaser sync --full` in its own process")
        with tempfile.TemporaryDirectory(prefix="chaser-bench-pace-") as tmp:
            root = Path(tmp)
            mark = control(url, "/_test/mark", {})["mark"]
            t0 = time.monotonic()
            first = cli_sync(url, root / "a")
            time.sleep(2.0)
            t1 = time.monotonic()
            second = cli_sync(url, root / "b")
            a, b = finish(first, t0), finish(second, t1)
            stats = control(url, f"/_test/stats?since={mark}")
            print(f"second sync started 2 s after the first: {stats['by_status'].get('429', 0)} "
                  f"responses with status 429 of {stats['requests']:,} (first: {a}; second: "
                  f"{b}; most in any 10 s at the server: {stats['most_in_any_10s']})")
            time.sleep(10.5)  # an empty window again
            mark = control(url, "/_test/mark", {})["mark"]
            runs = []
            for i in range(3):
                t = time.monotonic()
                runs.append(finish(cli_sync(url, root / f"c{i}"), t))
            stats = control(url, f"/_test/stats?since={mark}")
            print(f"three syncs back to back: {stats['by_status'].get('429', 0)} responses with "
                  f"status 429 of {stats['requests']:,} ({'; '.join(runs)}; most in any 10 s "
                  f"at the server: {stats['most_in_any_10s']})")
    finally:
        server.stdin.close()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
