"""Rules: which fields are required on which object, optionally only `when` a condition holds.

This module alone decides what "blank" means. Conditions are a tiny data language (field +
operator + value), never eval'd text. `compile_rules` turns rules into one checker per object
layout that works on raw rows by column index, because the audit runs it once per record.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import compress, product
from operator import itemgetter

from chaser.errors import ChaserError
from chaser.model import Layout

DEFAULT_PLACEHOLDERS = ("n/a", "na", "tbd", "-", "?", "none", "null", "xxx")

OPERATORS = ("in", "not_in", "equals", "blank")


@dataclass(frozen=True, slots=True)
class Condition:
    field: str
    op: str  # one of OPERATORS
    value: tuple[str, ...] | str | bool

    def __post_init__(self) -> None:
        if self.op not in OPERATORS:
            raise ValueError(f"unknown operator {self.op!r}")


@dataclass(frozen=True, slots=True)
class Rule:
    object: str
    require: tuple[str, ...]
    when: Condition | None = None
    # Where the rule was written, for messages: a config file's place ("chaser.toml:12: key
    # 'rules[0].require'"), or what the source said (e.g. "describe"); "" when unknown.
    origin: str = ""


class Blank:
    """Decides blank-ness: missing, empty, whitespace only, or a placeholder (any case)."""

    __slots__ = ("placeholders",)

    def __init__(self, placeholders: Iterable[str] = DEFAULT_PLACEHOLDERS) -> None:
        self.placeholders = frozenset(p.strip().casefold() for p in placeholders)

    def __call__(self, value: object) -> bool:
        if value is None:
            return True
        text = value if isinstance(value, str) else str(value)
        folded = text.strip().casefold()
        return not folded or folded in self.placeholders


# A checker takes a row and returns the missing required fields, in rule order, or ().
Checker = Callable[[Sequence[str | None]], tuple[str, ...]]


def _norm(value: object) -> str:
    return "" if value is None else str(value).strip().casefold()


def _condition_test(cond: Condition, col: int, blank: Blank) -> Callable[[Sequence], bool]:
    """A predicate over a row. A cell beyond a short row reads as blank."""

    def get(row: Sequence) -> object:
        return None if col >= len(row) else row[col]

    if cond.op == "blank":
        want = bool(cond.value)
        return lambda row: blank(get(row)) is want
    if cond.op == "equals":
        target = _norm(cond.value)
        return lambda row: _norm(get(row)) == target
    values = frozenset(_norm(v) for v in cond.value)  # type: ignore[union-attr]
    if cond.op == "in":
        return lambda row: _norm(get(row)) in values
    return lambda row: _norm(get(row)) not in values  # not_in


def column_hint(name: str, columns: Sequence[str], limit: int = 160) -> str:
    """The nearest column names first, then the others up to about `limit` characters: one
    readable line even for a 110-column export."""
    labels = list(dict.fromkeys(c for c in columns if c))
    folded = {c.strip().casefold(): c for c in reversed(labels)}
    near = [folded[n] for n in difflib.get_close_matches(name.strip().casefold(), list(folded),
                                                         n=3, cutoff=0.5)]
    ordered, shown = near + [c for c in labels if c not in near], []
    for c in ordered:
        if shown and sum(len(x) + 4 for x in shown) + len(c) > limit:
            break
        shown.append(c)
    more = f", ... ({len(ordered) - len(shown)} more)" if len(shown) < len(ordered) else ""
    head = ("did you mean " + " or ".join(repr(n) for n in near) + "? ") if near else ""
    order = ", nearest first" if near else ""
    return (f"{head}{len(labels)} columns{order}: " + ", ".join(repr(c) for c in shown) + more
            if labels else "no columns")


def resolve_fields(rules: Iterable[Rule], layout: Layout) -> dict[str, int]:
    """Column index of every field the rules on `layout.object` read. Matches exactly, then
    ignoring case (report headers are labels typed by people); a field the source does not
    have, or has twice, is a config mistake, not a blank on every record, so it is an error
    naming it (and both positions of a duplicated column)."""
    positions: dict[str, list[int]] = {}
    folded: dict[str, list[int]] = {}
    for i, c in enumerate(layout.columns):
        positions.setdefault(c, []).append(i)
        folded.setdefault(c.strip().casefold(), []).append(i)
    out: dict[str, int] = {}
    for rule in rules:
        if rule.object != layout.object:
            continue
        names = list(rule.require) + ([rule.when.field] if rule.when else [])
        where = f"{rule.origin}: " if rule.origin else ""
        source = layout.source or "the source"
        for name in names:
            cols = positions.get(name) or folded.get(name.strip().casefold())
            if not cols:
                raise ChaserError(f"{where}a rule on {layout.object} names field {name!r}, which "
                                  f"{source} does not have ({column_hint(name, layout.columns)})")
            if len(cols) > 1:
                at = " and ".join(str(i + 1) for i in cols)
                raise ChaserError(f"{where}a rule on {layout.object} names field {name!r}, which "
                                  f"{source} has more than once (columns {at}); rename one")
            out[name] = cols[0]
    return out


def compile_rules(rules: Iterable[Rule], layout: Layout, blank: Blank) -> Checker:
    """One checker for `layout`'s object: row -> missing required fields, in rule order.
    The reference implementation; `compile_scan` is the fast path over whole batches."""
    rules = [r for r in rules if r.object == layout.object]
    cols = resolve_fields(rules, layout)
    always = [(f, cols[f]) for r in rules if r.when is None for f in r.require]
    conditional = [(_condition_test(r.when, cols[r.when.field], blank),
                    [(f, cols[f]) for f in r.require]) for r in rules if r.when is not None]
    if not always and not conditional:
        return lambda row: ()
    placeholders = blank.placeholders

    def is_blank_at(row: Sequence, col: int) -> bool:
        if col >= len(row):
            return True
        v = row[col]
        if v is None:
            return True
        f = v.strip().casefold() if isinstance(v, str) else str(v).strip().casefold()
        return not f or f in placeholders

    def check(row: Sequence) -> tuple[str, ...]:
        missing = [name for name, col in always if is_blank_at(row, col)]
        for test, fields in conditional:
            if test(row):
                missing.extend(n for n, c in fields if is_blank_at(row, c) and n not in missing)
        if not missing:
            return ()
        # A field required by two rules is one missing field, not two.
        return tuple(dict.fromkeys(missing))

    return check


# scan(rows) -> [(row, missing)] for the rows with gaps only, in order.
Scan = Callable[[Sequence[Sequence[str | None]]], list[tuple[Sequence, tuple[str, ...]]]]
PLAN_CACHE = 4096  # distinct condition-column values remembered per layout


# ASCII strings that are the casefold of some non-ASCII character (K Kelvin -> k; long s,
# sharp s and the st ligatures -> s, ss, st; the ff/fi/fl ligatures). A placeholder containing
# one could be matched by non-ASCII text, so the exact-spelling shortcut is not used for it.
_FOLDS_TO_ASCII = ("k", "s", "ff", "fi", "fl")


def _spellings(words: frozenset[str], limit: int = 4096) -> frozenset[str] | None:
    """Every upper/lower-case spelling of the blank words, so a stripped cell can be tested
    without casefolding it; None when that set would be large or inexact."""
    out: set[str] = set()
    for w in words:
        if not w.isascii() or any(s in w for s in _FOLDS_TO_ASCII):
            return None
        choices = [(c, c.upper()) if c.isalpha() else (c,) for c in w]
        if 2 ** sum(len(c) == 2 for c in choices) > limit:
            return None
        out.update(map("".join, product(*choices)))
    return frozenset(out)


def _no_cells(row: Sequence) -> tuple:
    return ()


def _fold(value: object) -> str:
    return "" if value is None else str(value).strip().casefold()


def compile_scan(rules: Iterable[Rule], layout: Layout, blank: Blank) -> Scan:
    """The audit's hot path: same answers as `compile_rules`, a few C-level passes per row.

    Which fields a row requires depends only on its condition columns, so that "plan" is
    worked out once per distinct value (e.g. per stage) and kept. Per row what is left is
    fetching the required cells with one itemgetter and one set test of their stripped,
    case-folded values against the blank words. Rows that are short or hold non-text cells
    (None from an API) take the reference checker."""
    rules = [r for r in rules if r.object == layout.object]
    check = compile_rules(rules, layout, blank)
    if not rules:
        def nothing(rows: Sequence) -> list:
            return []

        nothing.plans, nothing.learn = {}, lambda keys: None  # type: ignore[attr-defined]
        return nothing
    cols = resolve_fields(rules, layout)
    conds = [(_condition_test(r.when, cols[r.when.field], blank), r) for r in rules if r.when]
    key_cols = sorted({cols[r.when.field] for r in rules if r.when})
    # One condition column (the usual case: the stage) keys plans by the cell itself, whose
    # hash Python caches; several make a tuple.
    key_of = (itemgetter(*key_cols) if key_cols else (lambda row: None))
    blank_words = blank.placeholders | {""}
    spellings = _spellings(blank_words)
    strip, casefold = str.strip, str.casefold
    plans: dict = {}

    def plan_for(row: Sequence) -> tuple:
        names = dict.fromkeys(f for r in rules if r.when is None for f in r.require)
        for test, r in conds:
            if test(row):
                names.update(dict.fromkeys(r.require))
        fields = tuple(names)
        if not fields:
            return _no_cells, ()  # no `getter is None` test per row
        # itemgetter of 2+ indices always returns a tuple; compress() stops at the names.
        return itemgetter(*(cols[f] for f in fields), cols[fields[0]]), fields

    def scan(rows: Sequence[Sequence[str | None]]) -> list:
        out = []
        get = plans.get
        exact = spellings is not None
        isdisjoint = spellings.isdisjoint if exact else None
        is_spelling = spellings.__contains__ if exact else None
        for row in rows:
            try:
                key = key_of(row)
                plan = get(key)
                if plan is None:
                    plan = plan_for(row)
                    if len(plans) < PLAN_CACHE:
                        plans[key] = plan
                getter, fields = plan
                cells = getter(row)
                try:
                    if exact:
                        # The common case: a clean row is told apart with no casefold per
                        # cell, and a row with gaps is too (no second, folded pass).
                        if isdisjoint(map(strip, cells)):
                            continue
                        missing = tuple(compress(fields, map(is_spelling, map(strip, cells))))
                        out.append((row, missing))
                        continue
                    folded = list(map(casefold, map(strip, cells)))
                except TypeError:  # None (an API's null) or a non-text cell
                    folded = [_fold(v) for v in cells]
                if blank_words.isdisjoint(folded):
                    continue
                missing = tuple(compress(fields, map(blank_words.__contains__, folded)))
            except IndexError:
                missing = check(row)  # a short row: the reference checker reads it as blank
            if missing:
                out.append((row, missing))
        return out

    def learn(keys: Iterable) -> None:
        """Take in the condition values another scan saw (its `plans`, in its order) as if
        this one had seen them next (csv_split's child scans part of a file): what
        unmatched_when reads stays that of one pass. A plan depends on the condition cells
        only, so a row holding just those gives it."""
        for key in keys:
            if len(plans) >= PLAN_CACHE:
                return
            if key not in plans:
                row: list = [None] * (max(key_cols, default=-1) + 1)
                cells = key if len(key_cols) > 1 else (key,) if key_cols else ()
                for c, v in zip(key_cols, cells, strict=True):
                    row[c] = v
                plans[key] = plan_for(row)

    # What unmatched_when() reads after the audit: the distinct condition values seen.
    scan.plans, scan.key_cols, scan.cols = plans, key_cols, cols  # type: ignore[attr-defined]
    scan.learn = learn  # type: ignore[attr-defined]
    return scan


def unmatched_when(rules: Iterable[Rule], scans: Mapping[Layout, Scan]) -> list[str]:
    """Warnings for `when` values (in / not_in / equals) that no record of the object holds,
    e.g. equals = "Closed lost" where the data says "Closed: lost": such a rule silently
    checks nothing. Read from the plans compile_scan keeps per distinct condition value, so it
    costs nothing per row; skipped when there were too many distinct values to keep."""
    out = []
    rules = list(rules)
    for layout, scan in scans.items():
        plans = getattr(scan, "plans", None)
        if not plans or len(plans) >= PLAN_CACHE:
            continue
        key_cols = scan.key_cols  # type: ignore[attr-defined]
        for rule in rules:
            cond = rule.when
            if rule.object != layout.object or cond is None or cond.op == "blank":
                continue
            pos = key_cols.index(scan.cols[cond.field])  # type: ignore[attr-defined]
            seen: dict[str, str] = {}
            for key in plans:
                cell = key[pos] if len(key_cols) > 1 else key
                if isinstance(cell, str) and cell.strip():
                    seen.setdefault(_norm(cell), cell.strip())
            values = (cond.value,) if isinstance(cond.value, str) else cond.value
            for value in values:  # type: ignore[union-attr]
                if _norm(value) in seen:
                    continue
                near = difflib.get_close_matches(_norm(value), list(seen), n=3, cutoff=0.5)
                hint = ("nearest values that occur: " + ", ".join(repr(seen[n]) for n in near)
                        if near else "values that occur: " + (", ".join(
                            repr(v) for v in list(seen.values())[:8]) or "none"))
                where = f"{rule.origin}: " if rule.origin else ""
                out.append(f"warning: {where}when {cond.field} {cond.op} {value!r} matches no "
                           f"{layout.object} record; {hint}")
    return out


def rules_for(rules: Iterable[Rule], obj: str) -> list[Rule]:
    return [r for r in rules if r.object == obj]


def required_fields(rules: Iterable[Rule], obj: str) -> list[str]:
    """Every field a rule on `obj` reads (required or in a condition), for field selection."""
    names: dict[str, None] = {}
    for r in rules_for(rules, obj):
        names.update(dict.fromkeys(r.require))
        if r.when is not None:
            names[r.when.field] = None
    return list(names)


def parse_condition(raw: object, fail: Callable[[str], Exception]) -> Condition:
    """Build a Condition from config data like {field = "x", in = [..]}; `fail(what)` makes
    the error that names the file, line and key."""
    if not isinstance(raw, dict):
        raise fail('must be a table like { field = "...", in = [...] }')
    if not isinstance(raw.get("field"), str) or not raw["field"].strip():
        raise fail("needs a 'field' name")
    ops = [k for k in raw if k != "field"]
    unknown = [k for k in ops if k not in OPERATORS]
    if unknown:
        raise fail(f"unknown operator {unknown[0]!r} (use one of: {', '.join(OPERATORS)})")
    if len(ops) != 1:
        raise fail(f"takes exactly one operator ({', '.join(OPERATORS)})")
    op = ops[0]
    value = raw[op]
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not all(
            isinstance(v, str | int | float) and not isinstance(v, bool) for v in value
        ):
            raise fail(f"'{op}' must be a list of values")
        return Condition(raw["field"], op, tuple(str(v) for v in value))
    if op == "equals":
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise fail("'equals' must be a single value")
        return Condition(raw["field"], op, str(value))
    if not isinstance(value, bool):
        raise fail("'blank' must be true or false")
    return Condition(raw["field"], op, value)
