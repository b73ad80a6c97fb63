"""[source.csv]: the people file, the record files and their columns, cannot-edit tables.
Parsed here, checked through chaser.tomlplace.Where (so every error names file, line and key);
config.py calls `csv_source` and re-exports the dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from chaser.tomlplace import Where


@dataclass(frozen=True, slots=True)
class CsvPeople:
    path: Path
    key: str
    name: str | tuple[str, ...] | None = None  # several columns are joined with a space
    team: str | None = None
    manager: str | None = None
    email: str | None = None
    active: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    # Rows left out of the directory: (column, negated, values) - a row is excluded when its
    # cell is (not, when negated) one of the values, any case. Sorted tuples, not sets: the
    # snapshot fingerprint is the repr of the mapping and must not depend on hash order.
    exclude: tuple[tuple[str, bool, tuple[str, ...]], ...] = ()
    started: str | None = None  # issue 13: Person.started and .last_login columns
    last_login: str | None = None


@dataclass(frozen=True, slots=True)
class CsvObject:
    object: str
    path: Path
    id: str
    owner: str
    name: str | None = None
    modified: str | None = None
    url: str | None = None  # template with {id}, e.g. "https://acme.my.salesforce.com/{id}"
    encoding: str | None = None
    delimiter: str | None = None
    modified_format: str | None = None  # strptime format of the modified column, if ambiguous
    created: str | None = None  # issue 13: the created-date column (goals, late gaps)
    created_format: str | None = None


@dataclass(frozen=True, slots=True)
class CsvCannotEdit:
    """One [[source.csv.cannot_edit]] table: rule fields of `object` that `person` may not
    edit, so their blanks are not blamed on the person (chaser.access)."""

    person: str  # the person's key or name, as the owner column spells it
    object: str
    fields: tuple[str, ...]
    # Where it is written, for messages: not compared and not in the repr, so moving the table
    # in the file changes no snapshot fingerprint (freshness digests the repr).
    origin: str = field(default="", compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class CsvSource:
    objects: tuple[CsvObject, ...]
    people: CsvPeople | None = None
    cannot_edit: tuple[CsvCannotEdit, ...] = ()


def csv_source(raw: dict, where: Where) -> CsvSource:
    where.table(raw, {"people", "objects", "cannot_edit"}, {"objects"})
    people = None
    if "people" in raw:
        w = where.at("people")
        t = w.table(raw["people"], {"path", "key", "name", "team", "manager", "email", "active",
                                    "encoding", "delimiter", "exclude", "started",
                                    "last_login"}, {"path", "key"})
        name = (w.strings(t, "name") if isinstance(t.get("name"), list) else w.string(t, "name"))
        if isinstance(name, tuple) and not name:
            raise w.at("name").fail("must name at least one column")
        people = CsvPeople(w.path_of(t, "path"), w.string(t, "key"), name,
                           w.string(t, "team"), w.string(t, "manager"), w.string(t, "email"),
                           w.string(t, "active"), w.string(t, "encoding"),
                           _delimiter(t, w), _exclude(t.get("exclude", {}), w.at("exclude")),
                           w.string(t, "started"), w.string(t, "last_login"))
    objs = raw["objects"]
    if not isinstance(objs, list) or not objs:
        raise where.at("objects").fail("must be one or more [[source.csv.objects]] tables")
    out = []
    for i, o in enumerate(objs):
        w = where.at("objects").item(i)
        t = w.table(o, {"object", "path", "id", "owner", "name", "modified", "url", "encoding",
                        "delimiter", "modified_format", "created", "created_format"},
                    {"object", "path", "id", "owner"})
        url = w.string(t, "url")
        if url is not None and "{id}" not in url:
            raise w.at("url").fail("must contain {id}, e.g. \"https://acme.my.salesforce.com/{id}\"")
        out.append(CsvObject(w.string(t, "object"), w.path_of(t, "path"), w.string(t, "id"),
                             w.string(t, "owner"), w.string(t, "name"), w.string(t, "modified"),
                             url, w.string(t, "encoding"), _delimiter(t, w),
                             _date_format(t, w), w.string(t, "created"),
                             _date_format(t, w, "created")))
    return CsvSource(tuple(out), people, _cannot_edit(raw.get("cannot_edit", []),
                                                      where.at("cannot_edit")))


def _cannot_edit(raw: object, where: Where) -> tuple[CsvCannotEdit, ...]:
    """[[source.csv.cannot_edit]] person = "Mark Stringer", object = "Account",
    fields = ["Industry"]. Objects and fields are checked against the rules later
    (_check_rule_objects), once the rules are read."""
    if not isinstance(raw, list):
        raise where.fail("must be a list of [[source.csv.cannot_edit]] tables")
    out = []
    for i, t in enumerate(raw):
        w = where.item(i)
        w.table(t, {"person", "object", "fields"}, {"person", "object", "fields"})
        fields = w.strings(t, "fields")
        if not fields:
            raise w.at("fields").fail("must name at least one field")
        out.append(CsvCannotEdit(w.string(t, "person").strip(), w.string(t, "object"),
                                 fields, origin=w.place()))
    return tuple(out)


def _exclude(raw: object, w: Where) -> tuple[tuple[str, bool, tuple[str, ...]], ...]:
    """exclude = { UserType = ["AutomatedProcess"], Profile = { not = ["Standard User"] } }"""
    if not isinstance(raw, dict):
        raise w.fail('must be a table like { UserType = ["AutomatedProcess"] } or '
                     '{ UserType = { not = ["Standard"] } }')
    out = []
    for column, spec in raw.items():
        negated = isinstance(spec, dict)
        if negated:
            w.at(column).table(spec, {"not"}, {"not"})
            spec = spec["not"]
        spec = [spec] if isinstance(spec, str) else spec
        if not isinstance(spec, list) or not spec or not all(isinstance(v, str) for v in spec):
            raise w.at(column).fail('must be a list of values, e.g. ["AutomatedProcess"], or '
                                    '{ not = [...] }')
        out.append((column, negated, tuple(sorted({v.strip().casefold() for v in spec}))))
    return tuple(out)


def _date_format(t: dict, w: Where, column: str = "modified") -> str | None:
    key = f"{column}_format"
    fmt = w.string(t, key)
    if fmt is None:
        return None
    if column not in t:
        raise w.at(key).fail(f"needs `{column}` (the column it reads)")
    if "%" not in fmt:
        raise w.at(key).fail(f"{fmt!r} is not a strptime format (e.g. \"%d/%m/%Y %H:%M\")")
    return fmt

def _delimiter(t: dict, w: Where) -> str | None:
    d = w.string(t, "delimiter")
    if d is not None:
        d = {"\\t": "\t", "tab": "\t"}.get(d, d)
        if len(d) != 1:
            raise w.at("delimiter").fail(f"must be one character such as \",\" \";\" or \"\\t\", not {d!r}")
    return d
