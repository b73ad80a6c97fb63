"""A team's ledger after three years: 10 writers x 36 months x 300 chases (108,000 chases in
360 month files, each writer with its own writer.json and installation), on the demo org.

1. `chaser log`: median time of one durable chase write into a month file that already holds
   300 events (in process: `Workspace.log_chase`, validation included, and the bare
   `Store.add_chase`, as benchmarks/bench_log.py times it). Budget: median <= 50 ms. The
   whole-process `chaser log` (Python start-up and imports included) is shown for information.
2. `chaser report --period 2026`, whole process (reads 2026 and the 2025 it is compared
   with: 240 files, 72,000 chases). Budget: <= 1.5 s.
3. TUI chase log: first paint after `l` with the data loaded (108,000 chases). Budget:
   <= 0.5 s. Also the load (a worker thread) and the ledger poll's look at the folder.

    .venv/bin/python benchmarks/bench_ledger.py [--writers 10] [--months 36] [--per-month 300]

Prints figures; it is not a test. Everything lives in a temp CHASER_HOME, removed afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
NOW = "2026-12-15T12:00:00+00:00"  # 36 months end with 2026-12: 2024-01 .. 2026-12
BUDGETS = {"log": 0.050, "report": 1.5, "paint": 0.5}


def month_starts(now: datetime, months: int) -> list[datetime]:
    first = datetime(now.year, now.month, 1, tzinfo=UTC)
    out = []
    for _ in range(months):
        out.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    return out[::-1]


def history(now: datetime, months: int, per_month: int, people: list[str], name: str,
            rng: random.Random):
    from chaser.model import Channel, Outcome

    fields = ["Amount", "CloseDate", "NextStep", "LeadSource", "Industry"]
    for start in month_starts(now, months):
        end = min(now, (start + timedelta(days=32)).replace(day=1))
        span = (end - start).total_seconds()
        for _ in range(per_month):
            yield {"at": start + timedelta(seconds=rng.uniform(0, span - 1)),
                   "person": rng.choice(people), "channel": rng.choice(list(Channel)),
                   "minutes": rng.randint(1, 45), "outcome": rng.choice(list(Outcome)),
                   "fields": tuple(rng.sample(fields, rng.randint(1, 3))),
                   "note": "left a voicemail, will try again on Friday", "by": name}


def seed(args) -> tuple[list[str], float]:
    """The demo org, then the team's ledger: this installation's writer (the one `chaser log`
    writes as) and writers-1 others, each from its own installation."""
    import shutil

    from chaser.ledger import Ledger, Writer
    from chaser.workspace import Workspace

    ws = Workspace.open(demo=True)
    ws.snapshot()  # seeds the demo org: snapshots, and its two demo admins' chases
    ledger = ws.store.ledger
    for folder in ("priya-shah", "tom-becker"):  # exactly the workload asked for
        shutil.rmtree(ledger.root / folder, ignore_errors=True)
    people = [p.key for p in ws.summary().people if p.active]
    now = datetime.fromisoformat(NOW)
    rng = random.Random(11)
    t0 = time.perf_counter()
    writers = [ledger]
    for i in range(1, args.writers):
        wid = f"admin{i:02d}"
        writers.append(Ledger(ledger.root, Writer(wid, f"Admin {i:02d}", f"{wid}@corp.test"),
                              f"bench-installation-{i}", ledger.local.parent / f"local-{wid}"))
    for w in writers:
        w.add_chases(history(now, args.months, args.per_month, people, w.writer.name, rng))
    return people, time.perf_counter() - t0


def time_log(people: list[str], writes: int) -> tuple[list[float], list[float]]:
    from chaser.model import Channel, Outcome
    from chaser.workspace import Workspace

    ws = Workspace.open(demo=True)
    person = ws.find_person(people[0])
    ws.log_chase(person, minutes=5)  # the first one says "logged as your login name" once
    full, bare = [], []
    for i in range(writes):
        t = time.perf_counter()
        ws.log_chase(person, minutes=5, fields=["Amount"], note=f"bench {i}")
        full.append(time.perf_counter() - t)
        t = time.perf_counter()
        ws.store.add_chase(at=ws.now(), person=person.key, channel=Channel.CALL, minutes=5,
                           outcome=Outcome.PROMISED, fields=("Amount",), note=f"bare {i}")
        bare.append(time.perf_counter() - t)
    return full, bare


def whole_process(argv: list[str], runs: int) -> list[float]:
    """Seconds per run of `chaser ARGV` in a new process, after one untimed run (returned
    first): as an installed chaser, with a bytecode cache (PYTHONDONTWRITEBYTECODE in this
    workplace's environment would recompile every module each run) and this machine's
    decoded copies of the ledger files (chaser/ledger_cache.py) made by that first run."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPATH=str(ROOT),
               PYTHONPYCACHEPREFIX=str(Path(os.environ["CHASER_HOME"]) / "pycache"))
    times = []
    for _ in range(runs + 1):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "chaser", *argv], cwd=ROOT, check=True,
                       env=env, capture_output=True)
        times.append(time.perf_counter() - t)
    return times


async def tui() -> dict[str, float]:
    from chaser.app import ChaserApp
    from chaser.ledger_status import stamp
    from chaser.workspace import Workspace

    figures: dict[str, float] = {}
    ws = Workspace.open(demo=True)
    started = time.perf_counter()
    app = ChaserApp(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        while app.data is None:
            await pilot.pause(0.005)
        await app.workers.wait_for_complete()
        await pilot.pause()
        figures["app start to the overview with data (load in a worker)"] = (
            time.perf_counter() - started)
        figures["load: snapshot + every chase + costs (worker thread)"] = app.data.seconds
        t0 = time.perf_counter()
        app.action_chase_log()  # what `l` does, without the Pilot's own waiting
        await pilot.pause()
        table = app.screen.query_one("#chase-table")
        while table.loading or not table.rows:
            await pilot.pause(0.002)
        await pilot.pause()
        figures[f"chase log: first paint of {len(table.rows):,} chases"] = (
            time.perf_counter() - t0)
        t0 = time.perf_counter()
        for _ in range(20):
            stamp(ws.store.ledger.root)
        figures["ledger poll: one look at the folder (worker)"] = (time.perf_counter() - t0) / 20
    return figures


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--writers", type=int, default=10)
    ap.add_argument("--months", type=int, default=36)
    ap.add_argument("--per-month", type=int, default=300)
    ap.add_argument("--writes", type=int, default=100)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    print(f"machine: {platform.node()} · {platform.platform()} · {os.cpu_count()} CPUs · "
          f"Python {platform.python_version()} · {datetime.now(UTC):%Y-%m-%d}")
    with tempfile.TemporaryDirectory(prefix="chaser-bench-ledger-") as home:
        os.environ.update(CHASER_HOME=home, CHASER_NOW=NOW)
        os.environ.pop("CHASER_CONFIG", None)
        people, seconds = seed(args)
        total = args.writers * args.months * args.per_month
        print(f"seeded: {args.writers} writers x {args.months} months x {args.per_month} = "
              f"{total:,} chases in {args.writers * args.months} files, {seconds:.1f} s")

        full, bare = time_log(people, args.writes)
        proc = whole_process(["--demo", "log", people[1], "--minutes", "5"], args.runs)
        report = whole_process(["--demo", "report", "--period", "2026"], args.runs)
        figures = asyncio.run(tui())

    def row(name: str, xs: list[float], budget: float | None) -> None:
        flag = "" if budget is None else ("  ok" if median(xs) <= budget else "  OVER")
        limit = "" if budget is None else f"  (budget {budget * 1000:.0f} ms)"
        print(f"{name:<58} median {median(xs) * 1000:7.1f} ms, max {max(xs) * 1000:7.1f} ms"
              f"{limit}{flag}")

    row(f"log: Workspace.log_chase, in process ({len(full)} writes)", full, BUDGETS["log"])
    row(f"log: Store.add_chase, in process ({len(bare)} writes)", bare, BUDGETS["log"])
    row(f"log: `chaser log`, whole process ({len(proc) - 1} runs, information)", proc[1:], None)
    print(f"{'report: the first run on this machine (checks every file)':<58} "
          f"{report[0] * 1000:7.1f} ms")
    row(f"report: `chaser report --period 2026`, whole process ({len(report) - 1} runs)",
        report[1:], BUDGETS["report"])
    for name, seconds in figures.items():
        budget = BUDGETS["paint"] if "first paint" in name else None
        flag = "" if budget is None else ("  ok" if seconds <= budget else "  OVER")
        print(f"tui: {name:<53} {seconds * 1000:8.1f} ms{flag}")


if __name__ == "__main__":
    main()
