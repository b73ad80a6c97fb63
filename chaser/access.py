"""Who can edit what: a blank in a field its owner may not edit is not the owner's fault.

The people directory says, per person, the rule fields ("Object.Field") the person may not
edit: Salesforce field-level security (connectors/salesforce_access.py) or a CSV source's
[[source.csv.cannot_edit]] list. The audit counts every blank as usual, so its per-row loop
stays as fast as without this; then `split` takes the blanks of such fields out of the owner's
gaps and tally and counts them in the cannot-edit bucket. A record whose only blanks are such
fields is no gap record of the person; a record with other blanks keeps those in its gap. The
records stay the owner's (they still count in "records"): only those blanks are not blamed,
because access has to be fixed before anyone is held to them (DESIGN.md, "remove barriers").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from chaser.model import Gap, Person, Tally

REMEDY = "grant edit access to the fields (field-level security) before chasing them"


def blocked(person: Person) -> dict[str, frozenset[str]]:
    """Object -> fields the person may not edit, both case-folded: API names are
    case-insensitive, and a rule may spell a field its own way."""
    out: dict[str, set[str]] = {}
    for name in person.cannot_edit:
        obj, _, fld = name.partition(".")  # "Opportunity.Account.Name": the rest is the field
        if obj and fld:
            out.setdefault(obj.casefold(), set()).add(fld.casefold())
    return {o: frozenset(f) for o, f in out.items()}


def charged_to_self(people: Mapping[str, Person], keys: Mapping, owners: Mapping,
                    tallies: Mapping[str, Tally]) -> list[Person]:
    """The people who may not edit some rule field and whose records an audit charged to
    their own tally (`keys`: owner value -> person key; `owners`: owner value -> the tally it
    was charged to). A key some of whose owner values went to a bucket (a "(Deactivated
    User)" spelling) is left out: its gaps do not say which tally they were charged to."""
    own: dict[str, bool] = {}
    for owner, key in keys.items():
        own[key] = own.get(key, True) and owners[owner] is tallies.get(key)
    return [p for k, p in people.items() if p.cannot_edit and own.get(k)]


@dataclass(frozen=True, slots=True)
class Split:
    """An audit's figures with the blanks their owners cannot edit taken out of the blame."""

    gaps: tuple[Gap, ...]  # every gap, `missing` holding only blamed fields
    tallies: dict[str, Tally]  # per person, those blanks no longer counted
    by_person: dict[str, Tally]  # per person, the records and fields taken out
    unblamed: tuple[Gap, ...]  # the records taken out, `missing` holding only those fields
    bucket: Tally | None  # by_person summed (fields as "Object.Field"); None when empty


def _count(tally: Tally, obj: str, fields: tuple[str, ...]) -> None:
    tally.records += 1
    tally.records_with_gaps += 1
    tally.missing_fields += len(fields)
    for f in fields:
        name = f"{obj}.{f}"
        tally.by_field[name] = tally.by_field.get(name, 0) + 1


def split(gaps: tuple[Gap, ...], tallies: Mapping[str, Tally], people: Iterable[Person]
          ) -> Split:
    """Take the blanks `people` cannot edit out of their gaps and tallies. `people` must be
    those whose gaps are charged to their own tally (not to an owner bucket: an inactive
    owner's records are blamed on nobody anyway). Tallies are copied, never changed, so the
    auditor's own figures stay as counted."""
    rules = {p.key: b for p in people if p.cannot_edit and (b := blocked(p))}
    out_tallies = dict(tallies)
    # One cheap pass finds the gaps of those people; only they are looked at field by field.
    found = [i for i, g in enumerate(gaps) if g[3] in rules] if rules else []
    kept: list[Gap | None] = list(gaps) if found else []
    by_person: dict[str, Tally] = {}
    unblamed: list[Gap] = []
    bucket = Tally()
    for i in found:
        g = gaps[i]
        fields = rules[g.owner].get(g.object.casefold())
        off = tuple(f for f in g.missing if f.casefold() in fields) if fields else ()
        if not off:
            continue
        on = tuple(f for f in g.missing if f.casefold() not in fields)
        t = by_person.get(g.owner)
        if t is None:
            src = tallies[g.owner]
            out_tallies[g.owner] = Tally(src.records, src.records_with_gaps, src.missing_fields,
                                         dict(src.by_field))
            t = by_person[g.owner] = Tally()
        mine = out_tallies[g.owner]
        mine.missing_fields -= len(off)
        for f in off:
            left = mine.by_field[f] - 1
            if left:
                mine.by_field[f] = left
            else:
                del mine.by_field[f]
        if on:
            kept[i] = g._replace(missing=on)
        else:
            mine.records_with_gaps -= 1
            kept[i] = None
        unblamed.append(g._replace(missing=off))
        _count(t, g.object, off)
        _count(bucket, g.object, off)
    if not unblamed:
        return Split(gaps, out_tallies, {}, (), None)
    return Split(tuple(g for g in kept if g is not None), out_tallies, by_person,
                 tuple(unblamed), bucket)


# ---- how the views say it -------------------------------------------------------------------


def fields_text(by_field: Mapping[str, int]) -> str:
    """"Account.Industry 12, Lead.Phone 3": most blanks first."""
    ranked = sorted(by_field.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{name} {n:,}" for name, n in ranked)


def short_names(names: Iterable[str]) -> list[str]:
    """"Account.Industry" as "Industry" when no other object's field has that name too."""
    names = list(names)
    tails = [n.partition(".")[2] or n for n in names]
    return [t if tails.count(t) == 1 else n for n, t in zip(names, tails, strict=True)]


def person_note(person: Person, tally: Tally | None) -> str | None:
    """"cannot edit Industry: fix access first (3 blanks on 3 records not blamed)": what the
    person screen and `chaser gaps --person` say; None when the person may edit every rule
    field."""
    if not person.cannot_edit:
        return None
    text = f"cannot edit {', '.join(short_names(person.cannot_edit))}: fix access first"
    if tally is not None and tally.records:
        blanks = f"{tally.missing_fields:,} blank{'s' if tally.missing_fields != 1 else ''}"
        records = f"{tally.records:,} record{'s' if tally.records != 1 else ''}"
        text += f" ({blanks} on {records} not blamed)"
    return text


def bucket_note(bucket: Tally | None) -> str | None:
    """"Cannot edit: 12 records not blamed (Account.Industry 12): fix access first": the
    overview's line on the cannot-edit bucket, short enough for 80 columns (`chaser gaps --by
    bucket` prints the same figures); None when it is empty."""
    if bucket is None or not bucket.records:
        return None
    return (f"Cannot edit: {bucket.records:,} record{'s' if bucket.records != 1 else ''} not "
            f"blamed ({fields_text(bucket.by_field)}): fix access first")
