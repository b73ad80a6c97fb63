"""The digest's plain-text part, and the wording both parts share: the subject, the greeting and
each section's headline lines are made here once, from the figures, and chaser.digest_html
lays the same strings out as tables. Numbers are formatted as `chaser report` prints them
(money by costs.money, percentages with one decimal), so a reader can hold them side by side.
"""

from __future__ import annotations

import textwrap
from decimal import Decimal
from typing import Any

from chaser.costs import money
from chaser.digest_build import Digest, Section
from chaser.safe_text import clean

WIDTH = 78  # plain-text mail wraps at 78 (RFC 5322's advice)
FOOTER = ("Sent by chaser. The figures are those of `chaser report` for the same period "
          "and team.")
SUBJECT_LIMIT = 120  # characters of team names before "and N more"


def _plain(text: str) -> str:
    """CRM text on one line, control characters visible: a name cannot fake a new line."""
    return clean(" ".join(str(text).split()))


def scope_name(section: Section) -> str:
    """"Team EMEA" / "All teams": a heading (CRM text keeps its own case)."""
    return "All teams" if section.team is None else f"Team {_plain(section.team)}"


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def subject(digest: Digest) -> str:
    teams = digest.recipient.teams
    if teams is None:
        what = "all teams"
    else:
        what, shown = "", []
        for t in teams:
            if len(", ".join([*shown, _plain(t)])) > SUBJECT_LIMIT:
                break
            shown.append(_plain(t))
        what = ", ".join(shown) + (f" and {len(teams) - len(shown)} more"
                                   if len(shown) < len(teams) else "")
    return f"CRM data digest {digest.period.span()}: {what}"


def greeting(digest: Digest) -> str:
    return f"Good morning {_plain(digest.recipient.name)},"


def intro(digest: Digest) -> str:
    first = digest.sections[0].figures
    return (f"Your CRM data digest for {digest.period.span()} ({first['timezone']}), drawn "
            f"from snapshot {digest.snapshot} of {digest.snapshot_at}.")


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}%"


def _m(value: Any, cur: str) -> str:
    return money(value if isinstance(value, Decimal) else Decimal(str(value)), cur)


def headline(section: Section) -> list[tuple[str, str]]:
    """(label, value) lines of one section, every figure from `section.figures`."""
    f, cur = section.figures, section.figures["currency"]
    change = f["completeness_change_pts"]
    complete = _pct(f["completeness_pct"])
    if change is not None:
        complete += f" ({change:+.1f} pts vs {f['compared_with']})"
    lines = [("Completeness", complete)]
    if section.opened is not None:
        lines.append(("Gaps since last", f"{section.opened:,} opened, {section.closed:,} "
                                         f"closed since the snapshot of {section.since}"))
    open_gaps = f["open_gaps"]
    lines.append(("Open gaps", "n/a" if open_gaps is None else _n(open_gaps, "record")))
    lines.append(("Chases", f"{_n(f['chases'], 'chase')}, {f['minutes']:,} min; "
                            f"{f['barrier_chases']:,} hit a barrier"))
    cost = _m(f["cost"], cur)
    if f["barrier_cost"]:
        cost += f" ({_m(f['barrier_cost'], cur)} on barriers)"
    lines.append(("Hidden cost", cost))
    if f["fix_rate_pct"] is not None:
        lines.append(("Fix rate", f"{f['fix_rate_pct']}% of {f['gaps_chased']:,} chased gaps "
                                  f"closed within {f['fix_window_days']} days"))
    if f["projected_cost"] is not None:
        lines.append(("To close open", f"{_m(f['projected_cost'], cur)} projected"))
    if f["incomplete"]:
        lines.append(("Warning", "some ledger files could not be read: figures are short"))
    return lines


def trend_text(section: Section) -> str:
    return " · ".join(f"{d:%m-%d} {_pct(v)}" for d, v in section.trend)


def most_gaps_rows(section: Section) -> list[tuple[str, str]]:
    return [(_plain(name), f"{gaps:,} of {_n(records, 'record')}") for name, gaps, records
            in section.most_gaps]


def costing_rows(section: Section) -> list[tuple[str, str]]:
    cur = section.figures["currency"]
    return [(_plain(p["person"]), f"{_n(p['chases'], 'chase')}, {_m(p['cost'], cur)}")
            for p in section.figures["people"]]


def render(digest: Digest) -> str:
    out = [greeting(digest), "", *textwrap.wrap(intro(digest), WIDTH)]
    for s in digest.sections:
        title = scope_name(s)
        out += ["", title, "=" * len(title)]
        for label, value in headline(s):
            out += textwrap.wrap(f"{label}: {value}", WIDTH, subsequent_indent="    ")
        if s.trend:
            out += textwrap.wrap(f"Trend: {trend_text(s)}", WIDTH, subsequent_indent="    ")
        for title, rows in (("Most open gaps", most_gaps_rows(s)),
                            ("Costing most to chase", costing_rows(s))):
            if rows:
                out += ["", f"{title}:", *(f"  {name}: {value}" for name, value in rows)]
        for block in s.blocks:
            out += ["", f"{block.title}:" + (f" ({block.note})" if block.note else "")]
            for item in block.items:
                out += textwrap.wrap(f"{_plain(item.text)}: {_plain(item.detail)}"
                                     if item.detail else _plain(item.text), WIDTH,
                                     initial_indent="  ", subsequent_indent="    ")
    out += ["", "-- ", *textwrap.wrap(FOOTER, WIDTH)]
    return "\n".join(out) + "\n"
