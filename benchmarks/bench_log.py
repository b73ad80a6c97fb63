"""How long does logging one chase take after years of use?

Seeds a store with 100,000 chases over 36 months (bulk `add_chases`), then times single
durable `add_chase` calls into the current month. Budget: median <= 50 ms per write.

    .venv/bin/python benchmarks/bench_log.py [--chases 100000] [--months 36] [--writes 200]

Prints figures; it is not a test. The data lives in a temp folder that is removed afterwards.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chaser.model import Channel, Outcome  # noqa: E402
from chaser.store import Store  # noqa: E402

BUDGET_MS = 50.0


def history(n: int, months: int, now: datetime, rng: random.Random):
    start = now - timedelta(days=30.44 * months)
    span = (now - start).total_seconds()
    people = [f"005{i:012d}" for i in range(200)]
    fields = ["Amount", "CloseDate", "NextStep", "LeadSource", "Industry"]
    for _ in range(n):
        yield {
            "at": start + timedelta(seconds=rng.uniform(0, span)),
            "person": rng.choice(people),
            "channel": rng.choice(list(Channel)),
            "minutes": rng.randint(1, 45),
            "outcome": rng.choice(list(Outcome)),
            "fields": tuple(rng.sample(fields, rng.randint(1, 3))),
            "note": "left a voicemail, will try again on Friday",
            "by": "admin@example.com",
        }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chases", type=int, default=100_000)
    ap.add_argument("--months", type=int, default=36)
    ap.add_argument("--writes", type=int, default=200)
    args = ap.parse_args()

    rng = random.Random(7)
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="chaser-bench-") as tmp:
        store = Store(Path(tmp) / "demo")
        t0 = time.perf_counter()
        seeded = store.add_chases(history(args.chases, args.months, now, rng))
        seed_s = time.perf_counter() - t0
        this_month = store.root / "chases" / f"{now:%Y-%m}.json"
        size_before = this_month.stat().st_size if this_month.exists() else 0

        times = []
        for i in range(args.writes):
            t = time.perf_counter()
            store.add_chase(at=now, person="005000000000001", channel=Channel.CALL, minutes=5,
                            outcome=Outcome.PROMISED, fields=("Amount",), note=f"bench {i}")
            times.append((time.perf_counter() - t) * 1000)

        t = time.perf_counter()
        total = len(store.chases())
        read_all_s = time.perf_counter() - t
        files = len(list((store.root / "chases").glob("*.json")))

    times.sort()
    median = statistics.median(times)
    p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
    print(f"machine:   {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}")
    print(f"seeded:    {seeded:,} chases over {args.months} months into {files} files "
          f"in {seed_s:.2f} s")
    print(f"partition: current month {size_before / 1024:.0f} KiB before the timed writes")
    print(f"add_chase: {args.writes} durable writes, median {median:.1f} ms, p95 {p95:.1f} ms, "
          f"max {times[-1]:.1f} ms (budget: median <= {BUDGET_MS:.0f} ms)")
    print(f"chases():  read all {total:,} chases in {read_all_s:.2f} s")
    if median > BUDGET_MS:
        print("OVER BUDGET")
        sys.exit(1)


if __name__ == "__main__":
    main()
