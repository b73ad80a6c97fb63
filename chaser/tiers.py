"""A person's adoption tier the way the field describes it, with the reason stated.

- none: "absolutely no adoption (not even logging in)": no login for `[tiers] login_days`
  (or never, while the source gives login dates), whatever the data; or owns no records.
- ineffective / moderate / grade-a: by completeness (`grade_a`, `moderate`), and late data
  counts: a gap record open longer than `late_days` is late, and a person with late gaps is
  not grade-a (complete *and* current), however complete. Late gaps do not push anyone below
  moderate: completeness already says how much is missing, lateness says for how long.
- A gap's age is from when it was first seen (Gap.since, the first snapshot of its unbroken
  run), or from the record's created date when that is earlier (history shorter than the
  record). A gap with neither date has no known age: never late, not in the median.

Ages are as of the snapshot (its taken_at), so a tier does not change between two syncs.
`login_days = 0` or `late_days = 0` turn that check off.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import repeat
from operator import itemgetter

from chaser.model import Gap, Person, Snapshot, Tally, Tier


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Completeness % at or above which a person is grade-a / moderate."""

    grade_a: float = 95.0
    moderate: float = 70.0
    # Issue 13 (chaser.tiers): no login for this many days is tier none; gaps open longer
    # are late. 0 turns the check off.
    login_days: int = 30
    late_days: int = 30


def tier_of(tally: Tally, thresholds: Thresholds) -> Tier:
    pct = tally.completeness_pct
    if pct is None:
        return Tier.NONE
    if pct >= thresholds.grade_a:
        return Tier.GRADE_A
    if pct >= thresholds.moderate:
        return Tier.MODERATE
    return Tier.INEFFECTIVE


_TENTH = Decimal("0.1")
_DAY = 86400.0
_KEY = "%Y-%m-%dT%H:%M:%S"
_UTC = ("Z", "+00:00")
_NONE = "~"  # sorts after every date key: a gap without that date
_CREATED, _SINCE = itemgetter(7), itemgetter(8)  # Gap.created, Gap.since


@dataclass(frozen=True, slots=True)
class TierCall:
    tier: Tier
    reason: str  # "ineffective: 54.8% complete, 120 gaps open over 30 days"
    late_gaps: int = 0
    median_days_open: float | None = None  # one decimal; None: no gap with a known age
    login_days_ago: int | None = None  # None: no login date (none given, or never)


def _key(text: str | None, cache: dict) -> str | None:
    """A moment as "YYYY-MM-DDTHH:MM:SS" in UTC: such keys sort as the moments do, so ages
    are compared and ranked without parsing a date per gap (a big org has 300,000 gaps and
    every view builds its rows). UTC text, what the sources and the store write, is cut to
    its seconds; anything else is parsed once per distinct value. None: not a date."""
    if not text:
        return None
    if len(text) >= 20 and (text[-1] == "Z" or text.endswith("+00:00")) and text[10] == "T":
        return text[:19]
    key = cache.get(text, "")
    if key == "":
        try:
            at = datetime.fromisoformat(text.replace("Z", "+00:00"))
            at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
            key = at.strftime(_KEY)
        except ValueError:
            key = None  # not a date: no age, rather than a crash over one odd cell
        cache[text] = key
    return key


def _opened(gaps: Sequence[Gap], cache: dict) -> list[str]:
    """The keys of when the gaps opened (the earlier of since and created), in gap order;
    _NONE for a gap with neither. UTC text (the contract of both fields) compares as its
    moments do, to the second, so the usual case runs in C; other text goes through `_key`."""
    since, created = list(map(_SINCE, gaps)), list(map(_CREATED, gaps))
    for column in (since, created):
        present = [v for v in column if v]
        if sum(map(str.endswith, present, repeat(_UTC))) != len(present):
            column[:] = [_key(v, cache) for v in column]
    return list(map(min, [v or _NONE for v in since], [v or _NONE for v in created]))


def _age(key: str, at: datetime) -> float:
    return max(0.0, (at - datetime.strptime(key[:19], _KEY).replace(tzinfo=UTC)).total_seconds()
               / _DAY)


def days_open(gap: Gap, at: datetime, cache: dict | None = None) -> float | None:
    """Days the gap has been open as of `at`: from the earlier of Gap.since and Gap.created."""
    (opened,) = _opened([gap], {} if cache is None else cache)
    return None if opened == _NONE else _age(opened, at)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def judge(person: Person, tally: Tally, gaps: Sequence[Gap], thresholds: Thresholds, *,
          at: datetime, facts: frozenset[str], cache: dict | None = None) -> TierCall:
    """The tier of one person as of `at` (the snapshot's time), with its reason."""
    login_days = getattr(thresholds, "login_days", 0)
    late_days = getattr(thresholds, "late_days", 0)
    ago = None
    if person.last_login is not None:
        ago = max(0, (at - person.last_login).days)
    opened = sorted(_opened(gaps, {} if cache is None else cache))
    dated = bisect_left(opened, _NONE)  # _NONE sorts last: the ones before it are dated
    late = 0
    if late_days and dated:  # open longer than late_days: opened before this moment
        late = bisect_left(opened, (at - timedelta(days=late_days)).astimezone(UTC)
                           .strftime(_KEY))
    median = None
    if dated:  # the middle one, or the mean of the middle two (keys sort as ages do)
        mid = dated // 2
        days = _age(opened[mid], at) if dated % 2 else \
            (_age(opened[mid - 1], at) + _age(opened[mid], at)) / 2
        median = float(Decimal(days).quantize(_TENTH, rounding=ROUND_HALF_UP))

    def call(tier: Tier, why: str) -> TierCall:
        return TierCall(tier, f"{tier.value}: {why}", late, median, ago)

    if login_days and "last_login" in facts:
        if person.last_login is None:
            return call(Tier.NONE, "never logged in")
        if at - person.last_login > timedelta(days=login_days):
            return call(Tier.NONE, f"no login for {_plural(ago, 'day')}")
    pct = tally.completeness_pct
    if pct is None:
        return call(Tier.NONE, "owns no records")
    text = f"{pct:.1f}% complete"
    overdue = f"{_plural(late, 'gap')} open over {_plural(late_days, 'day')}" if late else ""
    if pct >= thresholds.grade_a and not late:
        return call(Tier.GRADE_A, text)
    if pct >= thresholds.grade_a:
        return call(Tier.MODERATE, f"{text}, but {overdue} (grade-a needs none)")
    tier = Tier.MODERATE if pct >= thresholds.moderate else Tier.INEFFECTIVE
    return call(tier, f"{text}, {overdue}" if overdue else text)


def login_note(snapshot: Snapshot, thresholds: Thresholds) -> str | None:
    """Said once by a face showing tiers when logins cannot be checked (HubSpot gives no
    login date; a CSV people file may have no `last_login` column): rather than guessing,
    the tiers then look at the data only."""
    if not getattr(thresholds, "login_days", 0) or "last_login" in snapshot.person_facts:
        return None
    return (f"note: {snapshot.source or 'the source'} gives no login dates, so tiers do not "
            "check logins ([tiers] login_days)")
