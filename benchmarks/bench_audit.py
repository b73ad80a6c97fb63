"""How much does a sync of a CSV export cost over just reading it?

Generates a 1,000,000-record opportunity export (10 columns, Salesforce-style labels, 2,000
owners) and a people file in a temp folder, with a chaser.toml of 5 required fields in 3 rules
(2 of them conditional). Then, interleaved and as whole processes on this interpreter (start-up
included, as a user waits for it): (a) a bare `csv.reader` pass over the file, and (b) the real
`chaser sync` (read, audit, snapshot written; a file this big is read by two processes, see
chaser/connectors/csv_split.py). Budget (issue 9): the sync's median wall time <= 2.2x the bare
pass's, and its peak RSS <= 300 MB. For the profile, the same run also times in-process
passes: the connector alone (one process: it takes no offer to split), and connector + audit
without the store write. Both whole processes run with a warm bytecode cache in the temp
folder, as an installed chaser has one (PYTHONDONTWRITEBYTECODE in the environment would
otherwise make every run recompile chaser's modules, ~0.03 s, which the stdlib never pays).

    .venv/bin/python benchmarks/bench_audit.py [--records 1000000] [--rounds 5] [--blanks 1.0]

Prints figures; it is not a test. The data lives in a temp folder that is removed afterwards.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

RATIO_BUDGET = 2.2
RSS_BUDGET_MB = 300.0
HEADER = ["Opportunity ID", "Opportunity Name", "Opportunity Owner", "Account Name", "Stage",
          "Amount", "Close Date", "Next Step", "Lead Source", "Last Modified Date"]
STAGES = ["Prospecting", "Qualification", "Needs Analysis", "Negotiation/Review",
          "Closed Won", "Closed Lost"]
CLOSED = ["Closed Won", "Closed Lost"]
SOURCES = ["Web", "Partner", "Phone Inquiry", "Trade Show", "Referral"]
REPS = 2000
RULES_TOML = """
[[rules]]
object = "Opportunity"
require = ["Account Name", "Lead Source"]

[[rules]]
object = "Opportunity"
require = ["Amount", "Close Date"]
when = { field = "Stage", in = ["Closed Won", "Closed Lost"] }

[[rules]]
object = "Opportunity"
require = ["Next Step"]
when = { field = "Stage", not_in = ["Closed Won", "Closed Lost"] }
"""


def generate(folder: Path, records: int, blanks: float = 1.0) -> tuple[Path, Path]:
    """The export and a people file; `blanks` scales how often a required cell is left blank
    (1.0 gives ~13% of records with a gap: the cost of an audit grows with its gaps)."""
    rng = random.Random(7)
    people = folder / "users.csv"
    with open(people, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Full Name", "Role", "Manager", "Email", "Active"])
        for i in range(REPS):
            w.writerow([f"Rep {i:03d}", f"Region {i % 8}", f"Manager {i % 8}",
                        f"rep{i:03d}@example.com", "false" if i % 50 == 49 else "true"])
    path = folder / "opportunities.csv"
    blank = lambda p, v: "" if rng.random() < p * blanks else v  # noqa: E731
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for i in range(records):
            stage = rng.choice(STAGES)
            w.writerow([
                f"006{i:015d}", f"Deal {i} - renewal", f"Rep {rng.randrange(REPS):03d}",
                blank(0.03, f"Account {rng.randrange(20000)}"), stage,
                blank(0.04, str(rng.randrange(500, 250000))),
                blank(0.05 if stage in CLOSED else 0.5, f"2026-{rng.randint(1, 12):02d}-15"),
                blank(0.04, "N/A" if rng.random() < 0.03 * blanks else "Call back on Friday"),
                blank(0.02, rng.choice(SOURCES)),
                f"2026-11-{rng.randint(1, 28):02d}T10:00:00Z",
            ])
    (folder / "chaser.toml").write_text(f"""[source]
kind = "csv"
[source.csv.people]
path = "{people.name}"
key = "Full Name"
team = "Role"
manager = "Manager"
email = "Email"
active = "Active"
[[source.csv.objects]]
object = "Opportunity"
path = "{path.name}"
id = "Opportunity ID"
owner = "Opportunity Owner"
name = "Opportunity Name"
modified = "Last Modified Date"
url = "https://acme.my.salesforce.com/{{id}}"
""" + RULES_TOML, encoding="utf-8")
    return path, people


def clocks() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def since(start: tuple[float, float]) -> dict:
    wall, cpu = clocks()
    return {"wall": wall - start[0], "cpu": cpu - start[1]}


def child_bare(path: str) -> dict:
    start = clocks()
    n = 0
    with open(path, newline="", encoding="utf-8") as f:
        for _ in csv.reader(f):
            n += 1
    return since(start) | {"records": n - 1}


def child_connector(path: str) -> dict:
    """The connector alone: what reading through it costs before any rule runs."""
    from chaser.config import CsvObject, CsvSource
    from chaser.connectors.base import Cancel, no_progress
    from chaser.connectors.csv import CsvConnector

    source = CsvSource((CsvObject("Opportunity", Path(path), "Opportunity ID",
                                  "Opportunity Owner"),))
    start = clocks()
    n = sum(len(b.rows) for b in CsvConnector(source).batches("Opportunity", no_progress,
                                                              Cancel()))
    return since(start) | {"records": n}


def child_audit(path: str, people: str) -> dict:
    from chaser.config import CsvObject, CsvPeople, CsvSource, Settings
    from chaser.connectors.csv import CsvConnector
    from chaser.rules import Condition, Rule
    from chaser.sync import take_snapshot

    rules = [  # as RULES_TOML: 5 fields in 3 rules, 2 conditional
        Rule("Opportunity", ("Account Name", "Lead Source")),
        Rule("Opportunity", ("Amount", "Close Date"), Condition("Stage", "in", tuple(CLOSED))),
        Rule("Opportunity", ("Next Step",), Condition("Stage", "not_in", tuple(CLOSED))),
    ]
    source = CsvSource(
        (CsvObject("Opportunity", Path(path), "Opportunity ID", "Opportunity Owner",
                   name="Opportunity Name", modified="Last Modified Date",
                   url="https://acme.my.salesforce.com/{id}"),),
        CsvPeople(Path(people), "Full Name", team="Role", manager="Manager", email="Email",
                  active="Active"),
    )
    settings = Settings(path=Path(path), kind="csv", csv=source, rules=tuple(rules))
    start = clocks()
    connector = CsvConnector(source)  # the real sync path, minus the store write
    snap = take_snapshot(connector, settings, now=datetime.now(UTC))
    connector.close()
    return since(start) | {"records": snap.records, "gaps": len(snap.gaps)}


def run_child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", *args], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


BARE = ("import csv, sys\n"
        "with open(sys.argv[1], newline='', encoding='utf-8') as f:\n"
        "    for _ in csv.reader(f):\n"
        "        pass\n")


def whole(argv: list[str], env: dict | None = None) -> dict:
    """One whole process, start-up included: its wall time, CPU and peak RSS."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "maxrss_mb": after.ru_maxrss / 1024}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--blanks", type=float, default=1.0, help="scale the share of blank cells")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, *paths = args.child
        run = {"bare": child_bare, "connector": child_connector, "audit": child_audit}[kind]
        result = run(*paths)
        # The child's own peak: the generator and the parent never count against it.
        result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return

    with tempfile.TemporaryDirectory(prefix="chaser-bench-") as tmp:
        t = time.perf_counter()
        path, people = generate(Path(tmp), args.records, args.blanks)
        gen_s = time.perf_counter() - t
        size_mb = path.stat().st_size / 1e6
        run_child("bare", str(path))  # warm the page cache so neither pass pays the disk
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env |= {"CHASER_HOME": str(Path(tmp) / "home"),
                "PYTHONPYCACHEPREFIX": str(Path(tmp) / "pycache")}
        chaser = [sys.executable, "-m", "chaser", "sync", "-q", "--config",
                  str(Path(tmp) / "chaser.toml")]
        bare_argv = [sys.executable, "-c", BARE, str(path)]
        whole(bare_argv, env), whole(chaser, env)  # untimed: fills the bytecode cache
        load = os.getloadavg()[0]
        bare, conn, full, wbare, wsync = [], [], [], [], []
        for _ in range(args.rounds):  # interleaved, so drift hits all alike
            wbare.append(whole(bare_argv, env))
            wsync.append(whole(chaser, env))
            bare.append(run_child("bare", str(path)))
            conn.append(run_child("connector", str(path)))
            full.append(run_child("audit", str(path), str(people)))
        children_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    best = {k: [min(r[k] for r in runs) for runs in (bare, conn, full)] for k in ("wall", "cpu")}
    (b, c, a), (bc, cc, ac) = best["wall"], best["cpu"]
    rss = max(r["maxrss_mb"] for r in full)
    med = {k: [statistics.median(r[k] for r in runs) for runs in (wbare, wsync)]
           for k in ("wall", "cpu")}
    (wb, ws), (wbc, wsc) = med["wall"], med["cpu"]
    ratio = ws / wb
    records, gaps = full[0]["records"], full[0]["gaps"]
    print(f"machine:  {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}")
    print(f"data:     {records:,} records x {len(HEADER)} columns, {size_mb:.0f} MB, generated "
          f"in {gen_s:.1f} s; {gaps:,} records with gaps ({100 * gaps / records:.1f}%)")
    print(f"bare:     csv.reader pass {b:.2f} s wall, {bc:.2f} s CPU "
          f"({records / b:,.0f} records/s), best of {args.rounds}")
    print(f"read:     CsvConnector alone {c:.2f} s wall, {cc:.2f} s CPU "
          f"({c / b:.2f}x wall, {cc / bc:.2f}x CPU the bare pass), peak RSS "
          f"{max(r['maxrss_mb'] for r in conn):.0f} MB")
    print(f"audit:    connector + Auditor {a:.2f} s wall, {ac:.2f} s CPU "
          f"({records / a:,.0f} records/s), best of {args.rounds}")
    print(f"in-proc:  audit {a / b:.2f}x the bare pass wall, {ac / bc:.2f}x CPU")
    print(f"whole:    bare process {wb:.2f} s, `chaser sync` {ws:.2f} s wall (medians of "
          f"{args.rounds}); CPU {wbc:.2f} s vs {wsc:.2f} s")
    print(f"ratio:    {ratio:.2f}x the bare process, wall (budget <= {RATIO_BUDGET:.1f}x); "
          f"{wsc / wbc:.2f}x CPU (both processes of the sync)")
    print("rounds:   " + ", ".join(f"{s['wall'] / b['wall']:.2f}x" for b, s in zip(
        wbare, wsync, strict=True)) + f" (per round); load average {load:.2f} before, "
          f"{os.getloadavg()[0]:.2f} after")
    print(f"peak RSS: audit process {rss:.0f} MB (budget <= {RSS_BUDGET_MB:.0f} MB; "
          f"largest child of this run {children_mb:.0f} MB)")
    if ratio > RATIO_BUDGET or rss > RSS_BUDGET_MB:
        print("OVER BUDGET")
        sys.exit(1)


if __name__ == "__main__":
    main()
