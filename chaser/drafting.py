"""The chase email a draft (`e` on the person screen or the overview) puts on the clipboard:
plain text, one line per gap record shown, with its link when the source gives one."""

from __future__ import annotations

from collections.abc import Sequence

from chaser.model import Gap, Person


def draft_message(person: Person, gaps: Sequence[Gap], sender: str = "") -> str:
    """A plain-text chase email listing every gap record, its missing fields and its link."""
    first = person.name.split()[0] if person.name.strip() else person.name
    n = len(gaps)
    lines = [f"Hi {first},", "",
             f"{n} of your CRM record{'s' if n != 1 else ''} "
             f"{'are' if n != 1 else 'is'} missing required fields. "
             "Could you fill them in?", ""]
    for g in gaps:
        lines.append(f"- {g.object} {g.record_name}: {', '.join(g.missing)}")
        if g.url:
            lines.append(f"  {g.url}")
    lines += ["", "Thanks!"]
    if sender:
        lines.append(sender)
    return "\n".join(lines) + "\n"
