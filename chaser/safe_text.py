"""Text from a CRM, a CSV export or an admin is shown, never obeyed.

Two hazards, each decided here once:

- **Terminal control.** A person named "\\x1b]0;PWNED\\x07" retitles the terminal, "\\x1b[2J"
  wipes it, OSC 8 smuggles links. `clean` replaces every C0 and C1 control character (and DEL,
  and the bidi overrides that reorder what a reader sees) by a visible mark: C0 and DEL by
  their Unicode control pictures ("␛]0;PWNED␇"), the others by "�". Tab and newline are kept
  only where a caller says so (`keep`). The CLI writes all its output through `SafeWriter`,
  the TUI cleans what it loads (chaser/views.py); JSON stays exact (`json_exact`).
- **Spreadsheet formulas.** A cell starting with = + - @ tab CR or LF is run by Excel as a
  formula (OWASP CSV injection): `defuse_formula` prefixes it with "'". The HR export and
  `--format csv` both call it.
"""

from __future__ import annotations

import re
from typing import IO

_BIDI = "\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
_JSON_RAW = re.compile(f"[\x7f-\x9f{_BIDI}]")  # what JSON may carry unescaped
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def _mark(m: re.Match) -> str:
    c = ord(m.group())
    if c < 0x20:
        return chr(0x2400 + c)  # ␀ ... ␟ (␛ for ESC)
    return "\u2421" if c == 0x7f else "\ufffd"  # ␡ for DEL


def clean(text: str, keep: str = "") -> str:
    """`text` with control characters made visible. Cheap for the common case: a printable
    string is returned as it is without a regex pass."""
    if text.isprintable():
        return text
    if not keep:
        return _CONTROL.sub(_mark, text)
    return _CONTROL.sub(lambda m: m.group() if m.group() in keep else _mark(m), text)


def json_exact(text: str) -> str:
    """JSON text with C1, DEL and bidi characters written as \\u escapes: the same value for a
    parser, and no raw control byte for a terminal (JSON escapes C0 already)."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def defuse_formula(text: str) -> str:
    """A text cell Excel shows as written instead of evaluating it."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class SafeWriter:
    """A text stream that cleans everything written to it, keeping newlines and tabs (CSV
    output has both). The CLI wraps stdout and stderr in it, so no print can forget."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self.raw = stream  # for the one writer that sends escapes on purpose (sync progress)

    def write(self, text: str) -> int:
        self._stream.write(clean(text, keep="\n\t"))
        return len(text)

    def __getattr__(self, name: str):  # flush, isatty, fileno, encoding, ...
        return getattr(self._stream, name)
