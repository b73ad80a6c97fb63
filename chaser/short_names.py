"""Names (people, teams) shortened to a width so that different names stay different.

A table cut "North America East" and "North America West" to the same `North Ameri…`; an
admin then cannot tell the two teams apart. `shorten_all` shortens every name of a column
together: each name takes its most readable form that fits, and names whose forms collide
move on to their next form until the shown names differ again:

    North America East -> N. America East -> N. A. East -> North Amer… -> North…East -> NAE

Names of three or more words abbreviate their leading words first (the last word is what
tells "… East" from "… West"); names of two words are cut at the end first ("Aaliyah Joh…"
keeps the first name whole), then "Aaliyah J.". Acronyms and short words ("SMB", "EMEA",
"of") are never reduced to one letter. When no form of the given width keeps two names
apart (a width of 3 for 50 names), the collision is reported by `distinct`, and the caller
(the table) widens the column: `min_distinct_width` finds how far.

Plain text work: no terminal, no textual. Widths count terminal cells (East Asian wide
characters take two).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator

ELLIPSIS = "…"


def cells(text: str) -> int:
    """Terminal cells `text` takes: wide characters two, combining marks none."""
    if text.isascii():  # the common case, and a table asks for thousands of names
        return len(text)
    n = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        n += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return n


def cut(text: str, width: int) -> str:
    """The start of `text` that fits `width` cells."""
    if text.isascii():
        return text[:max(0, width)]
    out, used = [], 0
    for ch in text:
        w = cells(ch)
        if used + w > width:
            break
        out.append(ch)
        used += w
    return "".join(out)


def cut_end(text: str, width: int) -> str:
    """The end of `text` that fits `width` cells."""
    return cut(text[::-1], width)[::-1]


def _keeps_whole(word: str) -> bool:
    """Acronyms, numbers and short words: a single letter of them says nothing."""
    return len(word) <= 3 or word.isupper() or any(c.isdigit() for c in word)


def _initial(word: str) -> str:
    return word if _keeps_whole(word) else word[0] + "."


def forms(name: str, width: int) -> Iterator[str]:
    """The forms of `name` that fit `width` cells, most readable first (may repeat)."""
    if width <= 0:
        return
    if cells(name) <= width:
        yield name
        return
    words = name.split()
    if len(words) >= 3:  # "N. America East", then "N. A. East": the last word stays
        for i in range(len(words) - 1):
            short = " ".join([*map(_initial, words[:i + 1]), *words[i + 1:]])
            if cells(short) <= width:
                yield short
    if width >= 2:  # "North Amer…"
        yield cut(name, width - 1).rstrip() + ELLIPSIS
    if len(words) >= 2:  # "Aaliyah J."
        short = " ".join([*words[:-1], words[-1][0] + "."])
        if cells(short) <= width:
            yield short
        # "A. Johnson" for two words (three or more were abbreviated above)
        short = " ".join([*map(_initial, words[:-1]), words[-1]])
        if cells(short) <= width:
            yield short
        last = words[-1]  # "North…East": the start and the word that tells them apart
        room = width - cells(last) - 1
        if room >= 1:
            yield cut(name, room).rstrip() + ELLIPSIS + last
        initials = "".join(w[0] for w in words)  # "NAE"
        if cells(initials) <= width:
            yield initials
    # The last resort: some of the start and more and more of the end ("Tea…t 12").
    for tail in range(1, width - 1):
        yield cut(name, width - 1 - tail) + ELLIPSIS + cut_end(name, tail)


def shorten_all(names: Iterable[str], width: int) -> dict[str, str]:
    """Each distinct name -> its shown form, at most `width` cells. Names that fit stay as
    they are; a name that must be cut takes its first form no other name shows, as far as
    the width allows (see `distinct`). Forms are made only when a collision asks for the
    next one: most names need their first, and a column may hold thousands."""
    unique = list(dict.fromkeys(names))
    if width <= 0:
        return dict.fromkeys(unique, "")
    made: dict[str, list[str]] = {}
    more: dict[str, Iterator[str]] = {}
    for n in unique:
        more[n] = _fresh(n, width)
        made[n] = [next(more[n], None) or cut(n, width)]
    pick = dict.fromkeys(unique, 0)
    while True:
        shown: dict[str, list[str]] = {}
        for n in unique:
            shown.setdefault(made[n][pick[n]], []).append(n)
        moved = False
        for group in shown.values():
            # Every name of a collision moves on, none is favoured; a name that fits has one
            # form only, so it stays and the cut names move away from it.
            for n in group if len(group) > 1 else ():
                if pick[n] + 1 == len(made[n]):
                    nxt = next(more[n], None)
                    if nxt is None:
                        continue
                    made[n].append(nxt)
                pick[n] += 1
                moved = True
        if not moved:
            return {n: made[n][pick[n]] for n in unique}


def _fresh(name: str, width: int) -> Iterator[str]:
    """`forms` without repeats."""
    seen: set[str] = set()
    for f in forms(name, width):
        if f not in seen:
            seen.add(f)
            yield f


def distinct(shown: dict[str, str]) -> bool:
    """True when no two different names are shown alike."""
    return len(set(shown.values())) == len(shown)


def min_distinct_width(names: Iterable[str], width: int, limit: int) -> int:
    """The least width from `width` up to `limit` at which `shorten_all` keeps every name
    apart (`limit` when none does: there every name should be whole)."""
    unique = list(dict.fromkeys(names))
    w = max(1, width)
    while w < limit and not distinct(shorten_all(unique, w)):
        w += 1
    return w
