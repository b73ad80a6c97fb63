"""Rules: which fields are required on which object, optionally only `when` a condition holds.

This module alone decides what "blank" means. Conditions are a tiny data language (field +
operator + value), never eval'd text. `compile_rules` turns rules into one checker per object
layout that works on raw rows by column index, because the audit runs it once per record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

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
    origin: str = "config"  # "config", or where the source said so (e.g. "describe")


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


def _condition_test(cond: Condition, col: int | None, blank: Blank) -> Callable[[Sequence], bool]:
    """A predicate over a row. A field absent from the layout reads as blank."""

    def get(row: Sequence) -> object:
        return None if col is None or col >= len(row) else row[col]

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


def compile_rules(rules: Iterable[Rule], layout: Layout, blank: Blank) -> Checker:
    """One checker for `layout`'s object. Required fields absent from the layout count as
    missing on every record the rule applies to: a column that is not there is not filled."""
    index = layout.index()
    always: list[tuple[str, int | None]] = []
    conditional: list[tuple[Callable[[Sequence], bool], list[tuple[str, int | None]]]] = []
    for rule in rules:
        if rule.object != layout.object:
            continue
        fields = [(f, index.get(f)) for f in rule.require]
        if rule.when is None:
            always.extend(fields)
        else:
            conditional.append((_condition_test(rule.when, index.get(rule.when.field), blank),
                                fields))
    if not always and not conditional:
        return lambda row: ()
    placeholders = blank.placeholders

    def is_blank_at(row: Sequence, col: int | None) -> bool:
        if col is None or col >= len(row):
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
