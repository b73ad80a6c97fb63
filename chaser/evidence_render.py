"""The evidence file as markdown or as a printable HTML page, and its writing.

CRM and admin text is shown, never obeyed: control characters made visible
(safe_text.clean), markdown's special characters escaped (no links, emphasis, HTML or table
breaks), HTML escaped whole, and any cell that starts like a formula ("=cmd|...", "+", "-",
"@") gets the HR export's "'" (safe_text.defuse_formula), so copying a table into a
spreadsheet runs nothing. The file is HR data: 0600, written to a temp file in the target's
folder, fsynced, then linked into place (never over an existing file unless forced), as the
HR export is.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from chaser.errors import ChaserError
from chaser.evidence import Evidence, Section
from chaser.exports import write_text
from chaser.safe_text import clean, defuse_formula

FORMATS = ("md", "html")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def _cell(text: str) -> str:
    return defuse_formula(clean(str(text)).replace("\n", " "))


def md(text: str) -> str:
    """Text made inert in markdown: shown as written, with no markup of its own."""
    return _MD_SPECIAL.sub(r"\\\1", _cell(text))


def h(text: str) -> str:
    """Text made inert in HTML."""
    return html.escape(_cell(text), quote=True)


def render_markdown(ev: Evidence) -> str:
    out = [f"# {md(ev.title)}", ""]
    out += [f"- **{md(k)}:** {md(v)}" for k, v in ev.facts]
    for s in ev.sections:
        out += ["", f"## {md(s.title)}", ""]
        out += [md(line) + "\n" for line in s.lines]
        if s.headers:
            out += _md_table(s)
        if s.chart:
            out += ["", "```", *(clean(line) for line in s.chart), "```"]
    return "\n".join(out).rstrip() + "\n"


def _md_table(s: Section) -> list[str]:
    if not s.rows:
        return [f"*{md(s.empty)}*"]
    rule = ["---:" if i in s.right else "---" for i in range(len(s.headers))]
    return ["| " + " | ".join(md(c) for c in s.headers) + " |", "| " + " | ".join(rule) + " |",
            *("| " + " | ".join(md(c) for c in r) + " |" for r in s.rows)]


_STYLE = ("body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#111}"
          "table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #999;"
          "padding:.2em .5em;text-align:left;vertical-align:top}td.n{text-align:right}"
          "pre{background:#f4f4f4;padding:.5em}@media print{body{margin:0}}")


def render_html(ev: Evidence) -> str:
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{h(ev.title)}</title><style>{_STYLE}</style></head><body>",
           f"<h1>{h(ev.title)}</h1>", "<table>"]
    out += [f"<tr><th>{h(k)}</th><td>{h(v)}</td></tr>" for k, v in ev.facts]
    out.append("</table>")
    for s in ev.sections:
        out.append(f"<h2>{h(s.title)}</h2>")
        out += [f"<p>{h(line)}</p>" for line in s.lines]
        if s.headers and not s.rows:
            out.append(f"<p><em>{h(s.empty)}</em></p>")
        elif s.headers:
            out.append("<table><tr>" + "".join(f"<th>{h(c)}</th>" for c in s.headers) + "</tr>")
            out += ["<tr>" + "".join(f'<td{" class=n" if i in s.right else ""}>{h(c)}</td>'
                                     for i, c in enumerate(r)) + "</tr>" for r in s.rows]
            out.append("</table>")
        if s.chart:
            out.append("<pre>" + "\n".join(html.escape(clean(line)) for line in s.chart)
                       + "</pre>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def render(ev: Evidence, fmt: str) -> str:
    if fmt not in FORMATS:
        raise ChaserError(f"unknown evidence format {fmt!r} (use one of: {', '.join(FORMATS)})")
    return render_html(ev) if fmt == "html" else render_markdown(ev)


def write(text: str, out: Path | str, *, force: bool = False) -> Path:
    """`text` to `out` (UTF-8, 0600), whole or not at all; never over an existing file unless
    `force` (FileExists, naming it): as every export is written (chaser.exports)."""
    return write_text(text, out, force=force)
