"""The digest's HTML part: plain tables and inline CSS, as Outlook and Gmail render them (no
<style> block, no remote images, no scripts, no links to follow). Bars are two table cells
with a background colour and a pixel width, which Outlook's Word engine honours where it
ignores CSS widths on divs. Every string goes through `e`: CRM names reach the page as text.
The wording is chaser.digest_text's, so both parts say the same thing.
"""

from __future__ import annotations

import html

from chaser.digest_build import Digest, Section
from chaser.digest_text import (
    FOOTER,
    costing_rows,
    greeting,
    headline,
    intro,
    most_gaps_rows,
    scope_name,
    subject,
)
from chaser.safe_text import clean

BAR = 160  # pixels of a full bar
FONT = "font-family:Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;color:#222"
CELL = "padding:3px 10px 3px 0;vertical-align:top;text-align:left"
GOOD, BAD, TRACK = "#2e7d32", "#c62828", "#e6e6e6"


def e(text: object) -> str:
    """Escaped for HTML text and attribute values, control characters made visible."""
    return html.escape(clean(" ".join(str(text).split())), quote=True)


def bar(pct: float | None) -> str:
    """A horizontal bar of `pct` percent (none for n/a)."""
    if pct is None:
        return ""
    filled = max(0, min(BAR, round(BAR * pct / 100)))
    colour = GOOD if pct >= 90 else "#f9a825" if pct >= 70 else BAD
    cells = []
    if filled:
        cells.append(f'<td width="{filled}" style="width:{filled}px;height:10px;'
                     f'background:{colour};font-size:0;line-height:0">&nbsp;</td>')
    if filled < BAR:
        cells.append(f'<td width="{BAR - filled}" style="width:{BAR - filled}px;height:10px;'
                     f'background:{TRACK};font-size:0;line-height:0">&nbsp;</td>')
    return ('<table role="presentation" cellpadding="0" cellspacing="0" border="0" '
            f'width="{BAR}" style="border-collapse:collapse;width:{BAR}px"><tr>'
            f'{"".join(cells)}</tr></table>')


def _rows(pairs: list[tuple[str, str]]) -> str:
    return "".join(f'<tr><td style="{CELL};font-weight:bold">{e(k)}</td>'
                   f'<td style="{CELL}">{e(v)}</td></tr>' for k, v in pairs)


def _table(body: str) -> str:
    return ('<table role="presentation" cellpadding="0" cellspacing="0" border="0" '
            f'style="border-collapse:collapse;{FONT}">{body}</table>')


def _h(level: int, text: str) -> str:
    size = {2: 18, 3: 15}[level]
    return (f'<h{level} style="{FONT};font-size:{size}px;margin:18px 0 6px 0">{e(text)}'
            f'</h{level}>')


def section(s: Section) -> str:
    lines = headline(s)
    out = [_h(2, scope_name(s))]
    body = _rows(lines[:1])
    body += f'<tr><td style="{CELL}"></td><td style="{CELL}">{bar(s.figures["completeness_pct"])}</td></tr>'
    body += _rows(lines[1:])
    out.append(_table(body))
    if s.trend:
        out.append(_h(3, "Completeness, week by week"))
        out.append(_table("".join(
            f'<tr><td style="{CELL}">{e(f"{d:%Y-%m-%d}")}</td><td style="{CELL}">{bar(v)}</td>'
            f'<td style="{CELL};text-align:right">{e("n/a" if v is None else f"{v:.1f}%")}</td>'
            "</tr>" for d, v in s.trend)))
    for title, rows in (("Most open gaps", most_gaps_rows(s)),
                        ("Costing most to chase", costing_rows(s))):
        if rows:
            out += [_h(3, title), _table(_rows(rows))]
    for block in s.blocks:
        out.append(_h(3, block.title))
        if block.note:
            out.append(f'<p style="{FONT};color:#666;margin:0 0 4px 0">{e(block.note)}</p>')
        out.append(_table(_rows([(i.text, i.detail) for i in block.items])))
    return "\n".join(out)


def render(digest: Digest) -> str:
    parts = [f'<p style="{FONT}">{e(greeting(digest))}</p>',
             f'<p style="{FONT}">{e(intro(digest))}</p>',
             *(section(s) for s in digest.sections),
             f'<p style="{FONT};color:#666;font-size:12px;margin-top:24px">{e(FOOTER)}</p>']
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
            f"<title>{e(subject(digest))}</title></head>\n"
            f'<body style="margin:0;padding:16px;background:#ffffff">\n'
            + "\n".join(parts) + "\n</body></html>\n")
