"""How long does a bulk log of 50 people take to be durable (issue 12: <= 1 s)?

On the demo org, with this admin's month file already holding `--events` events, times:
1. `Workspace.log_chases` of 50 people (validation, the split, one durable write of the month
   file), median of `--runs`, the file growing by 50 chases each run;
2. the undo of such a batch (50 voids: `Store.change_chases`, one write);
3. the TUI: Enter in the bulk log form of 50 people until the chases are on disk and the
   notice of who got what is shown (the worker, the write, the reload of the chase log).

    .venv/bin/python benchmarks/bench_bulk.py [--runs 20] [--events 300]

Prints figures; it is not a test. Everything lives in a temp CHASER_HOME, removed afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BUDGET_S = 1.0
PEOPLE = 50


def people(n: int):
    from chaser.model import Person

    return [Person(f"005bulk{i:08d}", f"Rep {i:02d}", team="Bench") for i in range(n)]


def seed_month(ws, events: int) -> None:
    """This admin's file of the current month, `events` chases in it already."""
    from chaser.model import Channel, Outcome

    now = ws.now()
    first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    ws.store.add_chases({"at": first + timedelta(minutes=i), "person": "005seed",
                         "channel": Channel.CALL, "minutes": 5, "outcome": Outcome.PROMISED,
                         "note": "earlier chase", "by": "bench"} for i in range(events))


def core(ws, runs: int) -> tuple[list[float], list[float]]:
    logged, undone = [], []
    who = people(PEOPLE)
    for i in range(runs):
        t = time.perf_counter()
        batch = ws.log_chases(who, minutes=120, channel="email", outcome="no-response",
                              note=f"team email {i}")
        logged.append(time.perf_counter() - t)
        assert len(batch.chases) == PEOPLE and sum(c.minutes for c in batch.chases) == 120
        if i % 2:  # every other batch undone: the file keeps growing with both kinds
            t = time.perf_counter()
            changed, _ = ws.store.change_chases([c.id for c in batch.chases], "void", "undone")
            undone.append(time.perf_counter() - t)
            assert len(changed) == PEOPLE
    return logged, undone


async def tui(ws, runs: int) -> list[float]:
    from chaser.app import ChaserApp
    from chaser.modals.bulk_log import BulkLogScreen

    out = []
    app = ChaserApp(ws)
    async with app.run_test(size=(80, 24)) as pilot:
        while app.data is None:
            await pilot.pause(0.02)
        await app.workers.wait_for_complete()
        for i in range(runs):
            before = len(ws.store.chases())
            app.push_screen(BulkLogScreen(people(PEOPLE), note=f"tui {i}"))
            await pilot.pause()
            await pilot.press("9", "0")
            t = time.perf_counter()
            await pilot.press("enter")
            while not any("with 50 people" in n.message for n in app._notifications):
                await pilot.pause(0.001)
            out.append(time.perf_counter() - t)
            app._notifications.clear()
            await app.workers.wait_for_complete()
            assert len(ws.store.chases()) == before + PEOPLE
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--events", type=int, default=300)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="chaser-bench-bulk-") as tmp:
        os.environ.update(CHASER_HOME=tmp, CHASER_NOW="2026-12-15T10:00:00+00:00")
        os.environ.pop("CHASER_CONFIG", None)
        from chaser.workspace import Workspace

        ws = Workspace.open(demo=True)
        ws.notice = lambda text: None
        ws.snapshot()  # seed the demo first: not part of any figure
        seed_month(ws, args.events)
        logged, undone = core(ws, args.runs)
        shown = asyncio.run(tui(ws, max(3, args.runs // 4)))
        month = next((ws.store.ledger.root / ws.writer.id).glob("2026-12.json"))
        size = month.stat().st_size

    print(f"machine:  {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}")
    print(f"month:    {args.events:,} events before, {size / 1024:.0f} KiB after the runs")
    print(f"log_chases of {PEOPLE} people (one durable write): median "
          f"{statistics.median(logged) * 1000:.1f} ms, max {max(logged) * 1000:.1f} ms "
          f"over {len(logged)} runs (budget {BUDGET_S:.0f} s)")
    print(f"undo of a batch of {PEOPLE} (50 voids, one write): median "
          f"{statistics.median(undone) * 1000:.1f} ms, max {max(undone) * 1000:.1f} ms")
    print(f"TUI: Enter in the bulk form to durable + notice: median "
          f"{statistics.median(shown) * 1000:.0f} ms, max {max(shown) * 1000:.0f} ms "
          f"over {len(shown)} runs (budget {BUDGET_S:.0f} s)")
    if max(statistics.median(logged), statistics.median(shown)) > BUDGET_S:
        print("OVER BUDGET")
        sys.exit(1)


if __name__ == "__main__":
    main()
