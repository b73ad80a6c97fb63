"""The fields a chase of one person can name: grouped by object, the person's most-missing first.

"Phone" alone does not say whether the Account's or the Contact's was asked for, so the log
form lists each object's fields apart ("Account · Phone", "Contact · Phone"), the object with
the person's most-missed field first and, within it, the most-missed field first: what the
admin most likely chased is at the top. A chase records field names only (`Chase.fields`,
as `chaser log --fields` takes them), so two objects' "Phone" count once in the chase.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from chaser.model import Gap

SEP = " · "


@dataclass(frozen=True, slots=True)
class FieldChoice:
    object: str  # "" for a field no gap record names (offered by the caller)
    field: str
    records: int  # the person's records missing it

    @property
    def key(self) -> tuple[str, str]:
        return (self.object, self.field)

    @property
    def label(self) -> str:
        name = f"{self.object}{SEP}{self.field}" if self.object else self.field
        return f"{name} ({self.records:,})" if self.records else name

    @property
    def name(self) -> str:
        """"Account · Phone": the field as the form names it."""
        return f"{self.object}{SEP}{self.field}" if self.object else self.field


def field_choices(gaps: Sequence[Gap], extra: Iterable[str] = ()) -> list[FieldChoice]:
    """Every (object, field) missing in `gaps`, grouped by object as the module says, then
    the `extra` field names no gap names (at the end, without an object)."""
    counts: dict[tuple[str, str], int] = {}
    for g in gaps:
        for f in g.missing:
            key = (g.object, f)
            counts[key] = counts.get(key, 0) + 1
    best: dict[str, int] = {}
    for (obj, _f), n in counts.items():
        best[obj] = max(best.get(obj, 0), n)
    order = sorted(counts, key=lambda k: (-best[k[0]], k[0], -counts[k], k[1]))
    out = [FieldChoice(obj, f, counts[(obj, f)]) for obj, f in order]
    named = {f for _obj, f in counts}
    out += [FieldChoice("", f, 0) for f in dict.fromkeys(extra) if f not in named]
    return out


def chosen_fields(keys: Iterable[tuple[str, str]]) -> list[str]:
    """The field names a chase records for the (object, field) pairs ticked, each once."""
    return list(dict.fromkeys(f for _obj, f in keys))
