"""The report's text and markdown (chaser.report builds the figures; chaser.report_json is the
JSON): layout only, every number already decided by the Report. CRM text is made inert for
each medium: no escape sequences in a terminal, no links, emphasis, HTML or table breaks in
markdown.
"""

from __future__ import annotations

import re
import textwrap
from typing import TYPE_CHECKING

from chaser.safe_text import clean

if TYPE_CHECKING:
    from chaser.report import Report, Table

WIDTH = 96  # text lines wrap here: fits a terminal beside an editor, and an email

def _plain(text: str, width: int = 28) -> str:
    """CRM text made safe for a terminal (no escape sequences) and cut to a column width."""
    text = clean(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _text_table(table: Table, empty: str) -> list[str]:
    if not table.rows:
        return [f"  ({empty})"]
    rows = [tuple(_plain(c) for c in r) for r in table.rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(table.headers)]

    def line(cells) -> str:
        return "  " + "  ".join(c.rjust(w) if i in table.right else c.ljust(w)
                                for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    return [line(table.headers), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def render_text(report: Report) -> str:
    title = _plain(report.title, 200)
    out = [title, "=" * len(title), _plain(report.subtitle, 200), ""]
    width = max(len(k) for k, _ in report.headline())
    for k, v in report.headline():
        out += textwrap.wrap(_plain(v, 500), WIDTH, initial_indent=f"  {k.ljust(width)}  ",
                             subsequent_indent=" " * (width + 4))
    out += ["", "Teams", "-----", *_text_table(report.teams, "no teams")]
    out += ["", "Admins", "------", *_text_table(report.admins, "no chases in this period")]
    out += ["", "People costing most", "-------------------",
            *_text_table(report.top, "nobody was chased in this period")]
    out += ["", "Barriers to remove", "------------------"]
    if not report.barriers:
        out.append("  (no chase hit a barrier in this period)")
    for b in report.barriers:
        out.append(f"  {b.label} ({b.outcome.value}): {b.numbers(report.currency)}")
        out += textwrap.wrap("who: " + ", ".join(_plain(n, 60) for n in b.people), WIDTH,
                             initial_indent="    ", subsequent_indent="         ")
        out.append(f"    fix: {b.remedy}")
    if (a := report.cannot_edit) is not None:
        out.append(f"  Cannot edit (field permissions, current snapshot): {a.numbers()}")
        for label, text in (("fields", a.fields), ("who", ", ".join(a.people)), ("fix", a.remedy)):
            out += textwrap.wrap(f"{label}: {_plain(text, 500)}", WIDTH, initial_indent="    ",
                                 subsequent_indent=" " * (6 + len(label)))
    if report.register:
        out += ["", "  The register: barriers open, and removed in this period (days open)",
                *_text_table(report.register_table, "")]
        out += textwrap.wrap("; ".join(f"{_plain(r['person'], 60)}'s {r['kind']} removed by "
                                       f"{_plain(r['removed_by'], 60)}: {_plain(r['note'], 200)}"
                                       for r in report.register if r["state"] == "removed"),
                             WIDTH, initial_indent="  ", subsequent_indent="  ")
    if report.status_lines:
        out += ["", "Accountability", "--------------"]
        out += [f"  {_plain(r['person'], 40)} ({_plain(r['team'], 40)}): {r['status']}"
                for r in report.status_lines]
    if report.newcomers:
        out += ["", "Newcomers (started, nothing entered yet)", "-" * 40]
        out += [f"  {_plain(n['person'], 40)} ({_plain(n['team'], 40)}): started "
                f"{n['started']} ({n['start_source']}), {n['days_since_start']} days ago"
                for n in report.newcomers]
    out += ["", *textwrap.wrap(report.footnote, WIDTH)]
    return "\n".join(out) + "\n"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: str) -> str:
    """CRM text made inert in markdown: no table breaks, links, emphasis or HTML."""
    return _MD_SPECIAL.sub(r"\\\1", clean(text))


def _md_table(table: Table, empty: str) -> list[str]:
    if not table.rows:
        return [f"*{empty}*"]
    rule = ["---:" if i in table.right else "---" for i in range(len(table.headers))]
    return ["| " + " | ".join(table.headers) + " |", "| " + " | ".join(rule) + " |",
            *("| " + " | ".join(_md(c) for c in r) + " |" for r in table.rows)]


def render_markdown(report: Report) -> str:
    out = [f"# {_md(report.title)}", "", f"*{_md(report.subtitle)}*", ""]
    out += [f"- **{k}:** {_md(v)}" for k, v in report.headline()]
    out += ["", "## Teams", "", *_md_table(report.teams, "no teams")]
    out += ["", "## Admins", "", *_md_table(report.admins, "no chases in this period")]
    out += ["", "## People costing most", "",
            *_md_table(report.top, "nobody was chased in this period")]
    out += ["", "## Barriers to remove", ""]
    if not report.barriers:
        out.append("*No chase hit a barrier in this period.*")
    out += [f"- **{b.label}** ({b.outcome.value}): {b.numbers(report.currency)} — "
            f"{', '.join(_md(n) for n in b.people)}. *Remedy:* {b.remedy}."
            for b in report.barriers]
    if (a := report.cannot_edit) is not None:
        out.append(f"- **Cannot edit** (field permissions, current snapshot): {a.numbers()}: "
                   f"{_md(a.fields)} — {', '.join(_md(n) for n in a.people)}. "
                   f"*Remedy:* {a.remedy}.")
    if report.register:
        out += ["", "**The register:** barriers open, and removed in this period (days open)",
                "", *_md_table(report.register_table, "")]
        out += [f"- {_md(r['person'])}'s {r['kind']} barrier removed {r['removed']} by "
                f"{_md(r['removed_by'])}: {_md(r['note'])}"
                for r in report.register if r["state"] == "removed"]
    if report.status_lines:
        out += ["", "## Accountability", ""]
        out += [f"- **{_md(r['person'])}** ({_md(r['team'])}): {r['status']}"
                for r in report.status_lines]
    if report.newcomers:
        out += ["", "## Newcomers (started, nothing entered yet)", ""]
        out += [f"- **{_md(n['person'])}** ({_md(n['team'])}): started {n['started']} "
                f"({n['start_source']}), {n['days_since_start']} days ago"
                for n in report.newcomers]
    out += ["", f"*{_md(report.footnote)}*"]
    return "\n".join(out) + "\n"
