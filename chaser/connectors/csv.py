"""CSV exports of any CRM report: people from an optional people file, records from one file
per object, mapped by the header labels named in [source.csv] (see config.CsvSource).

How a file's bytes become rows (encodings, delimiters, NULs, footers, summary rows, repeated
headers and ids) is chaser/connectors/csv_read.py; modified dates are csv_dates.py; a big file
is read by two processes through csv_split.py. This module maps columns, builds the people
directory, and says in notes what it left out.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import tzinfo
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from chaser.cell_dates import moment
from chaser.connectors import csv_split
from chaser.connectors.base import Cancel, Capabilities, ConnectorError, Progress, ProgressFn
from chaser.connectors.csv_dates import modified_reader
from chaser.connectors.csv_read import TOTAL_LABEL, Table
from chaser.errors import ChaserError
from chaser.model import NO_TEAM, Directory, Layout, Person, RecordBatch
from chaser.rules import Rule, resolve_fields

if TYPE_CHECKING:
    from chaser.config import CsvObject, CsvPeople, CsvSource

__all__ = ["TOTAL_LABEL", "CsvConnector"]

TRUE = frozenset({"true", "yes", "y", "1", "active", "t", "enabled"})
FALSE = frozenset({"false", "no", "n", "0", "inactive", "f", "disabled"})
EXAMPLES = 3  # repeated ids shown by line in a note


def _active(text: str) -> bool | None:
    """Person.active from text; None when it is not a yes/no word. Blank means active."""
    folded = text.strip().casefold()
    if not folded or folded in TRUE:
        return True
    return False if folded in FALSE else None


class CsvConnector:
    """Connector over CSV report exports (kind "csv"). `rules` (the config's) only serve to
    tell whether two rows of one repeated id differ where it matters."""

    kind = "csv"

    def __init__(self, source: CsvSource, rules: Sequence[Rule] = (),
                 zone: tzinfo | None = None) -> None:
        self._source = source
        self._rules = tuple(rules)
        # Dates without an offset (report exports, a date alone) are local time here: the
        # [costs] time zone, handed in by connector() below.
        self._zone = zone
        self.capabilities = Capabilities(record_urls=any(o.url for o in source.objects))
        self._open: set[Table] = set()
        self._notes: list[str] = []

    def label(self) -> str:
        names = dict.fromkeys(o.path.name for o in self._source.objects)
        return "CSV: " + ", ".join(names)

    def objects(self) -> list[str]:
        return [o.object for o in self._source.objects]

    def source_rules(self) -> list[Rule]:
        return []

    def notes(self) -> list[str]:
        """What the sync should show besides the figures: rows left out and why, per file."""
        return list(self._notes)

    def commit(self) -> None:
        """Nothing to keep: every sync reads the files whole."""

    def _table(self, path: Path, encoding: str | None, delimiter: str | None,
               split: bool = False) -> Table:
        t = Table(Path(path), encoding, delimiter, split=split)
        self._open.add(t)
        return t

    def _done(self, t: Table) -> None:
        t.close()
        self._open.discard(t)

    def _file_notes(self, t: Table) -> None:
        name = t.path.name
        if t.nuls:
            self._notes.append(f"{name}: {t.nuls:,} NUL characters removed")
        if t.skipped:  # the sync itself reports the object done, with these as notes
            self._notes.append(f"{name}: skipped {t.skipped} summary rows without a record id "
                               "(subtotals, group headers)")
        if t.headers:
            self._notes.append(f"{name}: skipped {t.headers} repeated header "
                               f"row{'s' if t.headers != 1 else ''} (files pasted together?)")

    def directory(self, cancel: Cancel) -> Directory:
        """Everyone in the people file; without one, an open directory (every owner value
        seen in the records becomes a person)."""
        p = self._source.people
        if p is None:
            return _with_cannot_edit(Directory(complete=False), self._source)
        t = self._table(p.path, p.encoding, p.delimiter)
        try:
            people, excluded = _people(t, p, cancel, self._zone)
            self._file_notes(t)
        finally:
            self._done(t)
        if excluded:
            self._notes.append(f"{t.path.name}: {len(excluded):,} people left out by exclude "
                               "(their records count as queue records)")
        # The people file's date columns are what this source knows of people: a blank
        # last_login cell then means "never logged in", not "not known".
        facts = frozenset(k for k in ("started", "last_login") if getattr(p, k))
        return _with_cannot_edit(Directory(tuple(people.values()), frozenset(excluded),
                                           complete=True, facts=facts), self._source)

    def batches(self, obj: str, progress: ProgressFn, cancel: Cancel) -> Iterator[RecordBatch]:
        """Stream `obj`'s rows in batches; progress and cancellation between batches."""
        found = [(i, o) for i, o in enumerate(self._source.objects) if o.object == obj]
        if not found:
            raise ConnectorError(f"no CSV file is configured for object {obj!r}")
        i, o = found[0]
        t = self._table(o.path, o.encoding, o.delimiter, split=csv_split.can_fork())
        half: csv_split.SecondHalf | None = None
        try:
            key = f"source.csv.objects[{i}]"
            col = {k: t.column(getattr(o, k), f"{key}.{k}")
                   for k in ("id", "owner", "name", "modified", "created") if getattr(o, k)}
            half = csv_split.SecondHalf(t, col["id"])
            layout: Layout | None = None
            records = pages = 0
            for line, rows in t.chunks(col["id"], cancel, unique=True):
                if line is None:  # the first part of a split file is read (csv_split.py)
                    audited = half.join(cancel)
                    if audited is None:
                        continue  # the second part is read here
                    records, pages = records + len(audited), pages + 1
                    yield RecordBatch(layout, audited, 1)  # type: ignore[arg-type]
                    progress(Progress(obj, records, pages))
                    break
                offer = layout is None and t.split is not None
                if layout is None:  # the first rows settle how modified dates read
                    layout = self._layout(o, t, col, rows)
                records, pages = records + len(rows), pages + 1
                yield RecordBatch(layout, rows, 1, line)
                progress(Progress(obj, records, pages))
                if offer:  # the consumer may take it: the second part read meanwhile
                    yield RecordBatch(layout, csv_split.Offer(half), 0)  # type: ignore[arg-type]
            self._file_notes(t)
            if t.repeats:
                self._notes += self._repeat_notes(t, o, col, layout)
        finally:
            if half is not None:
                half.close()
            self._done(t)

    def _layout(self, o: CsvObject, t: Table, col: dict[str, int], rows: list) -> Layout:
        readers = {}
        for key, fmt in (("modified", o.modified_format), ("created", o.created_format)):
            if key in col:  # each column's day/month order settled from its own cells
                samples = [r[col[key]] for r in islice(rows, 200)]
                readers[key], note = modified_reader(samples, fmt, getattr(o, key) or "")
                if note:
                    self._notes.append(f"{t.path.name}: {note}")

        def find_line(column: int, value: str) -> int | None:
            return next((n for n, r in t.rescan() if len(r) > column and r[column] == value),
                        None)

        return Layout(o.object, tuple(t.header), col["id"], col["owner"], col.get("name"),
                      col.get("modified"), o.url, str(t.path), readers.get("modified"),
                      created=col.get("created"), created_iso=readers.get("created"),
                      zone=self._zone, find_line=find_line)

    def _repeat_notes(self, t: Table, o: CsvObject, col: dict[str, int],
                      layout: Layout | None) -> list[str]:
        """One note on the rows left out for a repeated id, and a warning when a repeat
        differs from the counted row in a field the rules read (which one is right?). The
        lines come from one more read of the file, made only when there were repeats."""
        fields: dict[str, int] = {}
        if layout is not None:
            try:
                fields = resolve_fields(self._rules, layout)
            except ChaserError:  # the audit reports a rule's missing field itself
                fields = {}
        cols = sorted(set(fields.values()))
        ids = {rid for _, rid in t.repeats}
        first: dict[str, tuple[int, list[str]]] = {}
        pairs: list[tuple[str, int, int]] = []
        differ: list[tuple[str, int, int, str]] = []
        id_col = col["id"]
        for line, row in t.rescan():
            if len(row) != t.width or (rid := row[id_col]) not in ids:
                continue
            if rid not in first:
                first[rid] = (line, row)
                continue
            line0, row0 = first[rid]
            if len(pairs) < EXAMPLES:
                pairs.append((rid, line0, line))
            changed = [c for c in cols if row[c].strip() != row0[c].strip()]
            if changed:
                c = changed[0]
                differ.append((rid, line0, line, f"{t.header[c]} {row0[c].strip()!r} vs "
                                                  f"{row[c].strip()!r}"))
        name, n = t.path.name, len(t.repeats)
        shown = "; ".join(f"id {rid!r} on lines {a} and {b}" for rid, a, b in pairs)
        out = [f"{name}: {n:,} row{'s' if n != 1 else ''} repeat an earlier {o.object} id and "
               f"{'were' if n != 1 else 'was'} counted once (e.g. {shown})"]
        if differ:
            shown = "; ".join(f"id {rid!r} on lines {a} and {b} ({what})"
                              for rid, a, b, what in differ[:EXAMPLES])
            out.append(f"warning: {name}: {len(differ):,} repeated id"
                       f"{'s' if len(differ) != 1 else ''} differ in a rule field; the first "
                       f"row is counted: {shown}")
        return out

    def close(self) -> None:
        for t in list(self._open):
            self._done(t)


def _with_cannot_edit(directory: Directory, source: CsvSource) -> Directory:
    """The directory with [[source.csv.cannot_edit]] applied: each named person's fields added
    to Person.cannot_edit (chaser.access keeps their blanks off the person). A person is named
    by key, name or email, as the owner column spells them. Without a people file the person
    is added, so the audit charges their records to them; with one, a name it lacks is an
    error (a typo would silently blame the person). People left out by `exclude` are skipped:
    their records are queue records, blamed on nobody."""
    if not source.cannot_edit:
        return directory
    people = {p.key: p for p in directory.people}
    fields: dict[str, list[str]] = {}
    for entry in source.cannot_edit:
        person, queue, _ = directory.resolve(entry.person)
        person = person or next((p for p in people.values() if p.matches(entry.person)), None)
        if person is None and queue:
            continue
        if person is None and directory.complete:
            file = source.people.path.name if source.people else "the people file"
            raise ConnectorError(f"{entry.origin}: person {entry.person!r} is not in {file} "
                                 "(name them by key, name or email)")
        if person is None:
            person = people.setdefault(entry.person, Person(entry.person, entry.person))
        names = fields.setdefault(person.key, [])
        names += [f"{entry.object}.{f.strip()}" for f in entry.fields]
    for key, names in fields.items():
        people[key] = replace(people[key], cannot_edit=tuple(sorted(set(names),
                                                                  key=str.casefold)))
    return replace(directory, people=tuple(people.values()))


def _people(t: Table, p: CsvPeople, cancel: Cancel, zone: tzinfo | None = None
            ) -> tuple[dict[str, Person], set[str]]:
    """(people by key, keys left out by `exclude`) from the people file."""
    where = "source.csv.people"
    single = {k: t.column(getattr(p, k), f"{where}.{k}")
              for k in ("key", "team", "manager", "email", "active", "started", "last_login")
              if getattr(p, k)}
    dates = _date_columns(t, p, single)
    names = (p.name,) if isinstance(p.name, str) else (p.name or ())
    name_cols = [t.column(n, f"{where}.name") for n in names]
    excludes = [(t.column(c, f"{where}.exclude.{c}"), negated, frozenset(values))
                for c, negated, values in p.exclude]
    kc = single["key"]

    def get(row: list[str], k: str) -> str:
        return row[single[k]].strip() if k in single else ""

    people: dict[str, Person] = {}
    excluded: set[str] = set()
    for _, rows in t.chunks(kc, cancel):
        for row in rows:
            key = row[kc].strip()
            if key in people or key in excluded:
                lines = [n for n, r in t.rescan() if len(r) > kc and r[kc].strip() == key]
                raise ConnectorError(f"{t.path}:{lines[1]}: duplicate key {key!r} "
                                     f"(first on line {lines[0]})")
            if any((row[c].strip().casefold() in values) is not negated
                   for c, negated, values in excludes):
                excluded.add(key)
                continue
            active = _active(get(row, "active"))
            if active is None:
                bad = get(row, "active")
                line = next(n for n, r in t.rescan() if r == row)
                raise ConnectorError(
                    f"{t.path}:{line}: column {p.active!r} is {bad!r}, not a yes/no "
                    "value (true/false, yes/no, 1/0, active/inactive; blank = active)")
            name = " ".join(" ".join(row[c].split()) for c in name_cols if row[c].strip())
            when = {}
            for k, to_iso in dates.items():
                at = moment(get(row, k), to_iso, zone)
                if at is False:  # never a guess: the admin fixes the cell or the format
                    line = next(n for n, r in t.rescan() if r == row)
                    raise ConnectorError(f"{t.path}:{line}: column {getattr(p, k)!r} is "
                                         f"{get(row, k)!r}, not a date chaser reads (e.g. "
                                         "2026-11-12, 11/12/2026 9:30 AM, 12.11.2026)")
                when[k] = at
            people[key] = Person(key, name or key, get(row, "team") or NO_TEAM,
                                 get(row, "manager") or None, get(row, "email") or None, active,
                                 started=when.get("started"), last_login=when.get("last_login"))
    return people, excluded


def _date_columns(t: Table, p: CsvPeople, single: dict[str, int]) -> dict:
    """The people file's date columns -> their readers (csv_dates), each column's day and
    month order settled from its first cells, as for a modified column."""
    if not any(k in single for k in ("started", "last_login")):
        return {}
    sample = [row for _, row in islice(t.rescan(), 200)]
    out = {}
    for k in ("started", "last_login"):
        if k in single:
            cells = [r[single[k]] for r in sample if len(r) > single[k]]
            out[k], _ = modified_reader(cells, None, getattr(p, k))
    return out


def connector(settings, *, cache_root, now, full: bool = False) -> CsvConnector:
    if settings.csv is None:
        raise ConnectorError("the [source.csv] settings are missing")
    from chaser.periods import zone  # the one place the [costs] time zone is decided

    return CsvConnector(settings.csv, settings.rules, zone(settings.costs.timezone))
