"""Modified dates as report exports write them, read into ISO 8601 (what Gap.modified holds and
the views read). ISO (`2014-02-24T17:03:00.000Z`, a Data Export), US (`2/24/2014 5:03 PM`, a
Salesforce report in en_US) and European (`20.12.2013 04:13`, de_DE). Day and month order is
settled once per file from a sample, and the parser is called for gap rows only: the audit's
hot path never sees it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime

ToIso = Callable[[str | None], str | None]

_REPORT = re.compile(
    r"\s*(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})\.?"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp])\.?\s*[Mm]\.?)?)?\s*$")


def _iso(text: str) -> str | None:
    try:
        datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return text.strip()


def _report(text: str, day_first: bool) -> str | None:
    m = _REPORT.match(text)
    if m is None:
        return None
    a, _, b, year, hour, minute, second, half = m.groups()
    day, month = (int(a), int(b)) if day_first else (int(b), int(a))
    y = int(year) if len(year) == 4 else 2000 + int(year) if int(year) < 70 else 1900 + int(year)
    try:
        if hour is None:
            return date(y, month, day).isoformat()
        h = int(hour)
        if half is not None:
            if not 1 <= h <= 12:
                return None
            h = h % 12 + (12 if half in "Pp" else 0)
        return datetime(y, month, day, h, int(minute), int(second or 0)).isoformat()
    except ValueError:
        return None


def _strptime(fmt: str) -> ToIso:
    def to_iso(text: str | None) -> str | None:
        if not text or not text.strip():
            return None
        try:
            return datetime.strptime(text.strip(), fmt).isoformat()
        except ValueError:
            return None

    return to_iso


def modified_reader(samples: Sequence[str], fmt: str | None, label: str
                    ) -> tuple[ToIso | None, str | None]:
    """(parser, note) for a modified column whose first non-blank cells are `samples`. The
    parser is None when the cells already are ISO (they are kept as they are). The note says
    what an admin should know: nothing readable, or a day/month order that had to be guessed."""
    values = [s for s in samples if s and s.strip()]
    if fmt is not None:
        to_iso = _strptime(fmt)
        if values and not any(map(to_iso, values)):
            return to_iso, (f"column {label!r}: no value matches modified_format {fmt!r} "
                            f"(e.g. {values[0]!r}); record ages are left out")
        return to_iso, None
    if not values or all(_iso(v) for v in values):
        return None, None
    report = [m for v in values if (m := _REPORT.match(v))]
    if not report:
        return (lambda text: None), (
            f"column {label!r} holds no dates chaser reads (e.g. {values[0]!r}); set "
            "modified_format (e.g. \"%d %b %Y\") in [[source.csv.objects]]; record ages are "
            "left out")
    first_big = any(int(m.group(1)) > 12 for m in report)
    second_big = any(int(m.group(3)) > 12 for m in report)
    note = None
    if first_big != second_big:
        day_first = first_big
    else:  # no evidence (or both ways): the separator's convention decides
        day_first = report[0].group(2) != "/"
        order = "day.month" if day_first else "month/day"
        note = (f"column {label!r}: dates like {report[0].group(0).strip()!r} are read as "
                f"{order}; set modified_format in [[source.csv.objects]] if that is wrong")

    def to_iso(text: str | None) -> str | None:
        if not text or not text.strip():
            return None
        return _report(text, day_first) or _iso(text)

    return to_iso, note
