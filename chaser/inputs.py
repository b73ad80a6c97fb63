"""The glue between a Workspace and the core: it reads settings, chases and snapshots from the
workspace and hands them, as plain data, to chaser.costs, chaser.effectiveness, chaser.report
and chaser.exports, which never see a Workspace. The CLI and the TUI call these, so both read
the same inputs the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from chaser import periods
from chaser.costs import CostSummary, scoped, summarise
from chaser.effectiveness import Effectiveness, judge
from chaser.ledger_status import LedgerRead
from chaser.model import Chase, Person, Snapshot
from chaser.periods import Period, parse_period
from chaser.store_docs import chase_month
from chaser.views import long_lived  # tens of thousands of chases: no cyclic GC walks them

if TYPE_CHECKING:  # the workspace imports the whole stack
    from chaser.accountability import Accountability
    from chaser.exports import HrExport
    from chaser.report import Report
    from chaser.workspace import Workspace


def period_for(ws: Workspace, text: str) -> Period:
    """A period as the user typed it, cut in the configured zone at the workspace's now."""
    return parse_period(text, ws.now(), ws.tz)


def scoped_chases(ws: Workspace, period: Period, team: str | None = None,
                  people: Sequence[Person] | None = None) -> tuple[list[Person], list[Chase]]:
    """The people (of one team, or all) and their counted chases in `period`, reading only the
    months the period needs. `people` defaults to the current snapshot's; pass them when you
    already have them, as loading a snapshot reads its whole gap list."""
    chosen = ws.snapshot().people if people is None else people
    return scoped(chosen, ws.chases(period.start, period.end, include_voided=False),
                  period, team)


def summary_for(ws: Workspace, period: Period, team: str | None = None) -> CostSummary:
    """The cost summary of `period` (optionally one team), priced by the current snapshot's
    teams: `chaser costs`, `chaser report`, `chaser export hr` and the TUI agree to the cent."""
    with long_lived():
        people, chases = scoped_chases(ws, period, team)
        return summarise(chases, people, ws.settings.costs, period)


def judge_for(ws: Workspace, chases: Sequence[Chase], people: Sequence[Person]) -> Effectiveness:
    """`effectiveness.judge` of given chases against the workspace's history, as of now."""
    return judge(chases, people, ws.store.snapshot_history(), ws.settings.costs, now=ws.now(),
                 load=lambda s: ws.store.load_snapshot(s.id))


def report_for(ws: Workspace, period: Period, team: str | None = None, top: int = 5,
               acc: Accountability | None = None) -> Report:
    """`report.build` of `period` against `periods.comparison` of it; `acc`: gather's, when
    several reports are built from the same data (the digest's teams)."""
    from chaser import report
    from chaser.accountability import gather

    with long_lived():
        latest = ws.snapshot()  # loaded once: it carries the whole gap list
        compared = periods.comparison(period, ws.now(), ws.tz)
        start, end = min(period.start, compared.start), max(period.end, compared.end)
        chases = ws.chases(start, end, include_voided=False)
        return report.build(period, compared, chases, latest, ws.store.snapshot_history(),
                            ws.settings.costs, ws.settings.tiers, now=ws.now(), tz=ws.tz,
                            load=_loader(ws, latest), team=team, top=top,
                            ledger=ledger_read(ws, start, end), acc=acc or gather(ws))


def ledger_read(ws: Workspace, start: datetime, end: datetime) -> LedgerRead:
    """Whose ledgers the chases of start..end come from (the writers with a file of one of
    those months) and what the last read left out: the report names both."""
    first, last = chase_month(start), chase_month(end - timedelta(microseconds=1))
    writers = sorted(w.id for w in ws.store.ledger.scan().writers.values()
                     if any(first <= m <= last for m in w.months))
    left = tuple(dict.fromkeys((i.writer, i.month, i.kind) for i in ws.ledger_issues
                               if i.incomplete))
    return LedgerRead(tuple(writers), left)


def hr_export(ws: Workspace, period: Period, team: str | None = None,
              acc: Accountability | None = None) -> HrExport:
    """`exports.hr_export` of `period` (optionally one team) from the workspace; `acc`: the
    goal weeks and barriers of the status columns (chaser.accountability.gather's), when the
    caller has them already."""
    from chaser import exports
    from chaser.accountability import gather

    with long_lived():
        acc = acc or gather(ws, newcomers=False)
        return exports.hr_export(period, ws.chases(period.start, period.end,
                                                   include_voided=False),
                                 ws.snapshot().people, ws.store.snapshot_history(),
                                 ws.settings.costs, ws.settings.tiers, now=ws.now(), tz=ws.tz,
                                 load=_loader(ws), team=team, incomplete=ws.incomplete, acc=acc)


def _loader(ws: Workspace, latest: Snapshot | None = None):
    def load(summary: Snapshot) -> Snapshot:
        if latest is not None and summary.id == latest.id:
            return latest  # already read, gaps and all: not decoded a second time
        return ws.store.load_snapshot(summary.id)

    return load
