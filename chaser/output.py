"""Rows -> table, CSV or JSON on stdout. One writer, so every command's formats agree.

CSV and JSON are for scripts: columns and keys are stable, numbers stay numbers, UTF-8, `\n`.
(HR's Excel-ready files are written by exports.py, not here.) A CSV is opened in a spreadsheet
sooner or later, so its text cells get the HR export's formula guard (`defuse_formula`: a
leading "'" on "=HYPERLINK(...)", "+Team", "@rec"); JSON is the exact form for scripts.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import IO, Any

import orjson

from chaser.costs import cents
from chaser.safe_text import defuse_formula, json_exact

FORMATS = ("table", "csv", "json")


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:.1f}"
    if isinstance(v, Decimal):  # Decimals are money: rounded where every other amount is
        return f"{cents(v):.2f}"
    if isinstance(v, list | tuple):
        return ";".join(str(x) for x in v)
    return str(v)


def _csv_cell(v: Any) -> str:
    text = _cell(v)
    return defuse_formula(text) if isinstance(v, str | list | tuple) else text


def _json_default(v: Any) -> Any:
    if isinstance(v, Decimal):
        return float(cents(v))
    if hasattr(v, "isoformat"):  # dates and aware date-times: ISO 8601, offset included
        return v.isoformat(timespec="minutes") if hasattr(v, "hour") else v.isoformat()
    raise TypeError


def to_json(data: Any) -> str:
    """Any rows or document as indented JSON, money in cents as `emit` writes it."""
    text = orjson.dumps(data, default=_json_default,
                        option=orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATETIME).decode()
    return json_exact(text) + "\n"  # C1 controls as \u escapes: the same value, no raw byte


def emit(rows: Iterable[Mapping[str, Any]], columns: Sequence[str], fmt: str,
         out: IO[str] | None = None, *, empty: str = "nothing to show") -> None:
    out = out or sys.stdout
    rows = list(rows)
    if fmt == "json":
        out.write(to_json([{c: r.get(c) for c in columns} for r in rows]))
    elif fmt == "csv":
        w = csv.writer(out, lineterminator="\n")
        w.writerow(columns)
        w.writerows([_csv_cell(r.get(c)) for c in columns] for r in rows)
    else:
        table(rows, columns, out, empty=empty)


def table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], out: IO[str], *,
          empty: str = "nothing to show", width: int = 40) -> None:
    """Aligned plain text: numbers right, text left, long text cut with an ellipsis."""
    if not rows:
        out.write(f"({empty})\n")
        return
    cells = [[_cut(_cell(r.get(c)), width) for c in columns] for r in rows]
    numeric = [all(isinstance(r.get(c), int | float | Decimal) or r.get(c) is None for r in rows)
               for c in columns]
    widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.rjust(w) if num else v.ljust(w)
                         for v, w, num in zip(values, widths, numeric, strict=True)).rstrip()

    out.write(line([c.replace("_", " ") for c in columns]) + "\n")
    out.write(line(["-" * w for w in widths]) + "\n")
    for row in cells:
        out.write(line(row) + "\n")


def _cut(text: str, width: int) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"
