"""Salesforce sync benchmark: a full and an incremental sync of N records across 4 objects
against the loopback Salesforce server of the tests (tests/sf_server.py).

    .venv/bin/python benchmarks/bench_sync.py                 # 100,000 records, REST
    .venv/bin/python benchmarks/bench_sync.py --bulk          # the same through Bulk API 2.0
    .venv/bin/python benchmarks/bench_sync.py --records 20000 --changes 50

Each sync runs as its own `chaser sync` process, so the peak RSS printed is chaser's
alone (the server lives in this process). The figure to hold is the request count: a full sync
costs ceil(records / 2000) queries per object plus describe and directory calls; an
incremental one costs one query per object plus the same fixed calls.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from sf_server import RULES, TOKEN, SfServer, make_org, sf_config  # noqa: E402

OBJECTS = ("Opportunity", "Account", "Contact", "Lead")
# `chaser sync` in a child that reports its own peak RSS (KiB on Linux) when it ends.
CHILD = ("import resource, sys\nfrom chaser.cli import main\nrc = main(sys.argv[1:])\n"
         "sys.stderr.write(f'MAXRSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n')\n"
         "sys.exit(rc)")


def run_sync(cfg: Path, home: Path, *extra: str) -> tuple[float, int, str]:
    """(wall seconds, peak RSS in MiB, stdout) of one `chaser sync` process."""
    env = {**os.environ, "CHASER_HOME": str(home), "CHASER_NOW": "2026-11-20T09:00:00Z",
           "CHASER_SALESFORCE_TOKEN": TOKEN, "PYTHON_KEYRING_BACKEND":
           "keyring.backends.fail.Keyring"}
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CHILD, "sync", "--quiet", "--config", str(cfg),
                           *extra], env=env, capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"sync failed ({proc.returncode}): {proc.stderr.strip()}")
    peak_kib = int(proc.stderr.rsplit("MAXRSS ", 1)[1].split()[0])
    return seconds, peak_kib // 1024, proc.stdout


def requests(org, since: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    for e in org.log[since:]:
        counts[e["kind"]] = counts.get(e["kind"], 0) + 1
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=100_000, help="records in all (default 100,000)")
    ap.add_argument("--changes", type=int, default=50, help="records changed before the "
                    "incremental sync (default 50)")
    ap.add_argument("--bulk", action="store_true", help="read every object with Bulk API 2.0")
    args = ap.parse_args()
    per = args.records // len(OBJECTS)
    t0 = time.perf_counter()
    org = make_org(dict.fromkeys(OBJECTS, per))
    org.bulk_page = 50_000
    print(f"org of {per * len(OBJECTS):,} records built in {time.perf_counter() - t0:.1f} s "
          f"(python {sys.version.split()[0]}, {os.cpu_count()} CPUs)")
    with tempfile.TemporaryDirectory() as tmp, SfServer(org, lifetime=1800) as server:
        tmp_path = Path(tmp)
        extra = {"bulk_threshold": max(0, per - 1)} if args.bulk else {}
        cfg = sf_config(tmp_path / "chaser.toml", server.url, RULES, **extra)
        home = tmp_path / "home"
        mark = len(org.log)
        secs, rss, out = run_sync(cfg, home)
        full = requests(org, mark)
        print(f"\nfull sync ({'bulk' if args.bulk else 'REST'}): {sum(full.values())} requests "
              f"{full}, {secs:.2f} s wall, peak RSS {rss} MiB")
        if not args.bulk:
            expect = len(OBJECTS) * math.ceil(per / 2000)
            print(f"  record queries {full.get('query', 0) + full.get('query-more', 0)} "
                  f"(expected {expect} + 2 directory queries)")
        print("  " + out.strip().replace("\n", "\n  "))

        ids = [rid for obj in OBJECTS for rid in list(org.data[obj])[: args.changes // 4 + 1]]
        for rid in ids[: args.changes]:
            obj = next(o for o in OBJECTS if rid in org.data[o])
            org.change(obj, rid, Phone=None)
        mark = len(org.log)
        secs, rss, out = run_sync(cfg, home)
        inc = requests(org, mark)
        rows = sum(e.get("rows", 0) for e in org.log[mark:] if e["kind"] == "query"
                   and e["object"] in OBJECTS)
        print(f"\nincremental sync after {args.changes} changes: {sum(inc.values())} requests "
              f"{inc}, {rows} records fetched, {secs:.2f} s wall, peak RSS "
              f"{rss} MiB")
        print("  " + out.strip().replace("\n", "\n  "))


if __name__ == "__main__":
    main()
