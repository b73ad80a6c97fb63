"""Chase many at once: one email to a whole team is one act, logged as one chase per person.

The admin gives the minutes the whole act took; they are split across the people in whole
minutes that add up to the total (`split_minutes`), so the cost of the act is counted once,
whoever it is summed by (person, team, admin). Every chase of the act carries the same note,
fields, channel and outcome, and the batch reference (the id of its first chase, written by
chaser.ledger.add_batch): `chaser chases` shows it, and undo withdraws the act as a whole.

No textual here: the CLI and the TUI both log through Workspace.log_chases and print
`Batch.summary()`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from chaser.model import Chase


def split_minutes(total: int, people: int) -> list[int]:
    """`total` minutes across `people` in whole minutes: they add up to `total`, any two
    differ by at most one, and the larger shares come first (the caller's order, which is
    the order the people were shown in, so the rule can be read off the screen).

    With fewer minutes than people the first `total` get one minute and the rest none:
    still adding up. A chase needs at least a minute, so Workspace.log_chases refuses that
    case rather than inventing minutes (see `too_few`)."""
    if people < 1:
        raise ValueError(f"minutes are split across at least one person, not {people}")
    if total < 0:
        raise ValueError(f"minutes cannot be negative: {total}")
    each, extra = divmod(total, people)
    return [each + 1] * extra + [each] * (people - extra)


def too_few(total: int, people: int) -> str | None:
    """Why `total` minutes cannot be logged across `people`, or None when they can."""
    if total >= people:
        return None
    return (f"{total} minute{'s' if total != 1 else ''} across {people} people is less than "
            f"a whole minute each, and every chase counts at least one: log at least "
            f"{people} minutes, or chase fewer people")


@dataclass(frozen=True, slots=True)
class Batch:
    """What one bulk log wrote: its chases in the order logged, and the people's names."""

    chases: tuple[Chase, ...]
    names: Mapping[str, str]  # person key -> name, for the summary

    @property
    def ref(self) -> str:
        return self.chases[0].batch if self.chases else ""

    @property
    def minutes(self) -> int:
        return sum(c.minutes for c in self.chases)

    def summary(self, limit: int = 6) -> str:
        """Who got what, in one line: "30 min email with 7 people (batch ann-202611-12):
        5 min Kevin Patel, Ann Lee; 4 min Bo Chen, +3 more" (`who_got_what`)."""
        if not self.chases:
            return "no chases logged"
        n = len(self.chases)
        head = (f"{self.minutes} min {self.chases[0].channel.value} with {n} "
                f"{'person' if n == 1 else 'people'}"
                + (f" (batch {self.ref})" if self.ref else ""))
        return f"{head}: " + who_got_what(
            [(self.names.get(c.person, c.person), c.minutes) for c in self.chases], limit)


def who_got_what(shares: Sequence[tuple[str, int]], limit: int = 6) -> str:
    """"5 min Kevin Patel, Ann Lee; 4 min Bo Chen, +3 more": people with the same share
    together, in order, at most `limit` names in all (the chase log lists every chase)."""
    groups: dict[int, list[str]] = {}
    for name, minutes in shares:
        groups.setdefault(minutes, []).append(name)
    shown, parts = 0, []
    for minutes, names in groups.items():
        listed = names[:max(0, limit - shown)]
        shown += len(listed)
        more = len(names) - len(listed)
        text = ", ".join(listed) + (f"{', ' if listed else ''}+{more} more" if more else "")
        parts.append(f"{minutes} min {text}")
    return "; ".join(parts)


def shares(people: Sequence[str], total: int) -> list[tuple[str, int]]:
    """(person, minutes) in order: the split as the log form previews it."""
    return list(zip(people, split_minutes(total, len(people)), strict=True))
