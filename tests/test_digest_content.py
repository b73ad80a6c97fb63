"""The digest's issue-13 sections say what the CLI says for the same team: the open barriers
of `chaser barriers --open`, the goals missed in the last ended week of `chaser goals`, the
newcomers of `chaser newcomers`; a team's digest names only its own people."""

from __future__ import annotations

from datetime import timedelta

from chaser.accountability import gather
from chaser.digest_build import Recipient, build
from chaser.digest_sent import SentLog
from chaser.goals import week_of
from chaser.newcomers import newcomers

pytest_plugins = ["tui_fixtures"]  # seeded_demo, demo_ws


def blocks_of(digest) -> dict[str, list[tuple[str, str]]]:
    (section,) = digest.sections
    return {b.title: [(i.text, i.detail) for i in b.items] for b in section.blocks}


def test_each_team_digest_lists_its_open_barriers_missed_goals_and_newcomers(demo_ws,
                                                                             tmp_path):
    ws = demo_ws
    log = SentLog(tmp_path)
    people = ws.snapshot().people
    teams = sorted({p.team for p in people if p.active})
    open_ = ws.barriers(open_only=True)
    names = {p.key: p.name for p in people}
    acc = gather(ws)
    seen_barriers = seen_newcomers = 0
    for team in teams:
        digest = build(ws, Recipient("M", None, (team,)), "last-7d", log)
        got = blocks_of(digest)
        members = {p.key for p in people if p.team == team}
        want = sorted(names[b.person] for b in open_ if b.person in members)
        assert sorted(n for n, _ in got.get("Barriers to remove", [])) == want, team
        seen_barriers += len(want)
        # goals missed: the last week that has ended, person by person
        now = ws.now()
        missed = []
        for key in sorted(members & set(acc.weeks)):
            for r in acc.weeks[key]:
                current = week_of(r.goal, now, ws.tz)
                last = week_of(r.goal, current.start - timedelta(microseconds=1), ws.tz)
                if r.week.label == last.label and r.status == "missed":
                    missed.append(r.person.name)
        assert sorted(n for n, _ in got.get("Goals missed last week", [])) == sorted(missed)
        objects = sorted({g.object for g in ws.settings.goals}) or None
        new = [n.person.name for n in newcomers(ws.snapshot(), ws.store.snapshot_history(),
                                                 objects=objects, tz=ws.tz, now=now)
               if n.person.key in members]
        assert [n for n, _ in got.get("Newcomers with nothing entered", [])] == new
        seen_newcomers += len(new)
    assert seen_barriers and seen_newcomers  # the demo has both: the test means something
