"""The demo org's chases (connectors/demo.py's generator `_Gen` calls this with itself): the
admins chase people on the gaps they had open, and each chase's outcome decides which of the
chased gaps get filled, and when. Draws from the generator's random stream in a fixed order,
so the demo's figures never change."""

from __future__ import annotations

from collections import Counter
from typing import Any

from chaser.connectors import demo_data as D
from chaser.connectors.demo_data import DAY
from chaser.model import Person

CHASE_DAYS = 90  # how far back the demo's chases go


def chase_rows(gen: Any, people: list[Person]) -> list[tuple]:
    """Chase people on the gaps they had open, on working days in their team's hours;
    each chase's outcome decides which of the chased gaps get filled, and when."""
    out, rng, rnd, today = [], gen.rng, gen.rnd, int(gen.now // DAY)
    channels = [c for c, _ in D.CHANNELS], D.cumulative(w for _, w in D.CHANNELS)
    for w, person in zip(gen.who, people, strict=True):
        if not w.interval or not person.active:
            continue
        barrier, unblocked = D.BARRIERS.get(person.name, (None, 0))
        ago = (D.TRAINING_DAYS_AGO - 45 if w.fade else CHASE_DAYS - 1) - rnd() * w.interval
        while ago >= 1:
            day = today - int(ago)
            lo, hi, admin = D.TEAM_HOURS[w.team]
            at = day * DAY + (lo + int(rnd() * (hi - lo))) * 3600 + int(rnd() * 60) * 60
            ago -= w.interval * (0.6 + 0.8 * rnd())
            if (day + 3) % 7 >= 5:  # no chasing at weekends (1970-01-01 was a Thursday)
                continue
            open_ = [e for e in w.eps if e.opened <= at < e.filled]
            if not open_:
                continue
            weight: Counter[str] = Counter()
            for f in (f for e in open_ for f in e.fields):
                weight[f] += D.CHASE_PRIORITY.get(f, 1)
            top = [f for f, _ in weight.most_common(3)]
            r = rnd()
            fields = tuple(top[:1 if r < 0.5 else 2 if r < 0.85 else 3])
            targets = [e for e in open_ if not set(fields).isdisjoint(e.fields)]
            if barrier and at < gen.now - unblocked * DAY:
                outcome = barrier if rnd() < 0.8 else "no-response"
            else:
                outcome = rng.choices(D.OUTCOMES, cum_weights=w.outcomes)[0]
            share, lag, keep = {"fixed": (w.fix, 0.0, 1.0), "promised": (w.fix, 2.0, w.keep),
                                "barrier-time": (w.fix / 2, 5.0, 0.5)}.get(outcome, (0, 0, 0))
            fixed = max(1, round(len(targets) * share)) if share and rnd() < keep else 0
            for e in rng.sample(targets, min(fixed, len(targets))):
                e.filled = min(e.filled, at + (lag + rnd() * (1.5 + lag)) * DAY)
            channel = rng.choices(channels[0], cum_weights=channels[1])[0]
            lo, mode, hi = D.MINUTES[channel]
            note = gen.pick(D.NOTES[outcome]).format(f=D.FIELD_LABEL[fields[0]],
                                                      n=fixed or len(targets))
            out.append((at, w.key, channel, max(1, round(rng.triangular(lo, hi, mode))),
                        outcome, fields, note, D.ADMINS[admin if rnd() < 0.92 else 1 - admin]))
    out.sort()
    return out
