"""One opened source: its settings, its store, and the questions both faces (CLI and TUI) ask.

The CLI and the TUI each hold a Workspace and call the same methods, so they cannot disagree
about who a person is, what a chase must look like, or which snapshot is current.
"""

from __future__ import annotations

import difflib
import hashlib
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from chaser import clock, config, locations
from chaser.audit import PersonRow, person_rows
from chaser.bulk import Batch, split_minutes, too_few
from chaser.config import Settings
from chaser.connectors import registry
from chaser.errors import ChaserError
from chaser.freshness import changed, fingerprint, stale_text
from chaser.ledger import Ledger, Writer, installation_id
from chaser.model import Channel, Chase, Note, Outcome, Person, Snapshot
from chaser.periods import zone
from chaser.progress import Cancel, ProgressFn, no_progress
from chaser.store import Store
from chaser.sync import SyncResult, seed_demo, sync

MIN_MINUTES, MAX_MINUTES = 1, 600


def validate_minutes(value: object) -> int:
    """The one rule for chase minutes: a whole number from 1 to 600."""
    text = str(value).strip()
    # ASCII digits only: str.isdigit() also accepts "²" or "５", which int() then refuses or
    # reads in a way nobody typing minutes meant.
    if not (text.isascii() and text.isdigit()) or not MIN_MINUTES <= int(text) <= MAX_MINUTES:
        raise ChaserError(f"minutes must be a whole number from {MIN_MINUTES} to {MAX_MINUTES}, "
                          f"not {text!r}")
    return int(text)


def to_stderr(text: str) -> None:
    """The CLI's notices: one line each on stderr, so stdout stays clean for scripts."""
    print(f"chaser: {text}", file=sys.stderr)


@dataclass
class Workspace:
    settings: Settings
    store: Store
    # Told "note: ..." / "warning: ..." lines about the figures (a re-sync and why, a stale
    # snapshot); the TUI replaces it to show them on screen.
    notice: Callable[[str], None] = field(default=to_stderr, repr=False)
    # Set while the latest snapshot of an API source predates a config change: the warning
    # every face shows beside the figures (None when they are current).
    stale: str | None = None
    # Set when the last chase read left a writer's file out (unreadable, half-synced, gone
    # backwards): the warning every face shows beside the figures; None when complete.
    incomplete: str | None = None
    ledger_issues: tuple = ()  # chaser.ledger.Issue of the last chase read
    _warned: tuple = field(default=(), repr=False)
    syncs: int = 0  # snapshots this Workspace took (views.load: its own sync is no news)
    _said: set = field(default_factory=set, repr=False)

    @classmethod
    def open(cls, config_file: str | None = None, demo: bool = False) -> Workspace:
        """--demo, else --config / CHASER_CONFIG / the user's chaser.toml, else the demo."""
        path = None if demo else locations.config_path(config_file)
        settings = config.demo_settings() if path is None else config.load(path)
        root = locations.data_root() / settings.data_key
        store = Store(root, open_ledger(settings, root))
        store.housekeep()  # leftovers of killed processes: a folder walk and the index
        return cls(settings, store)

    @property
    def writer(self) -> Writer:
        """Who this installation logs chases as."""
        return self.store.ledger.writer

    @property
    def is_demo(self) -> bool:
        return self.settings.kind == "demo"

    @property
    def is_api(self) -> bool:
        """A CRM's API (Salesforce, HubSpot): it signs in, syncs incrementally, has limits."""
        return registry.is_api(self.settings.kind)

    @property
    def tz(self):
        return zone(self.settings.costs.timezone)

    def now(self) -> datetime:
        return clock.now()

    # ---- snapshots --------------------------------------------------------------------------
    def sync(self, progress: ProgressFn = no_progress, cancel: Cancel | None = None,
             full: bool = False) -> SyncResult:
        now = self.now()
        if self.is_demo:
            seed_demo(self.settings, self.store, now)
        result = sync(self.settings, self.store, now=now, progress=progress, cancel=cancel,
                      full=full)
        self.syncs += 1
        return result

    def whoami(self) -> str:
        """Sign in to the source and say as whom: the check `chaser connect` and the sync
        screen run. Only API sources have a login; the demo and CSV files have none."""
        kind = self.settings.kind
        if not registry.is_api(kind):
            what = "the built-in demo" if kind == "demo" else f"a {registry.get(kind).title} source"
            raise ChaserError(f"{what} has no login to check; only CRM sources sign in")
        return registry.get(kind).load().whoami(self.settings)

    def _current(self) -> Snapshot | None:
        """The latest snapshot's summary when its figures may be shown; None when a new one
        must be taken first: there is none yet, or a demo or CSV source's config or files no
        longer match its fingerprint (re-reading them is cheap, so the figures are never
        stale). An API source's stale snapshot is shown with a warning instead: a sync spends
        the customer's API allowance, so only the user starts one."""
        if self.is_demo:
            seed_demo(self.settings, self.store, self.now())
        latest = self.store.latest_summary()
        self.stale = None
        if latest is None:
            return None
        parts = changed(latest.fingerprint, fingerprint(self.settings))
        if not parts:
            return latest
        if not registry.is_api(self.settings.kind):
            self.notice(f"note: {', '.join(parts)} changed since the snapshot of "
                        f"{latest.taken_at.astimezone(self.tz):%Y-%m-%d %H:%M}: syncing again")
            return None
        self.stale = stale_text(latest, parts, self.tz)
        if self._warned != (latest.id, self.stale):  # once per snapshot, not per question
            self._warned = (latest.id, self.stale)
            self.notice(f"warning: {self.stale}")
        return latest

    def snapshot(self) -> Snapshot:
        """The latest snapshot with its gaps, current (see `_current`)."""
        if self._current() is None:
            return self.sync().snapshot
        snap = self.store.latest_snapshot()
        return snap if snap is not None else self.sync().snapshot

    def summary(self) -> Snapshot:
        """The latest snapshot without its gap list (people and tallies only): enough to find a
        person or a field, and cheap however many gaps the org has."""
        latest = self._current()
        return latest if latest is not None else self.sync().snapshot

    def people(self) -> list[PersonRow]:
        return person_rows(self.snapshot(), self.settings.tiers)

    # ---- people -----------------------------------------------------------------------------
    def find_person(self, text: str, people: Sequence[Person] | None = None) -> Person:
        """By key, name (any case) or email; unknown or ambiguous names list the candidates."""
        people = list(people if people is not None else self.summary().people)
        hits = [p for p in people if p.matches(text)]
        exact = [p for p in hits if p.key == text.strip()]
        if len(exact) == 1 or len(hits) == 1:
            return (exact or hits)[0]
        if hits:
            # The key is what tells five identical "APP" users apart, so it is shown.
            listed = "; ".join(f"{p.name} (key {p.key}{', ' + p.email if p.email else ''}, "
                               f"{p.team}{'' if p.active else ', inactive'})" for p in hits)
            raise ChaserError(f"person {text!r} is ambiguous: {listed}; use the key or email")
        folded = text.strip().casefold()
        near = [p for p in people if folded and folded in p.name.casefold()]
        names = {p.name.casefold(): p for p in people}
        near += [names[n] for n in difflib.get_close_matches(folded, list(names), n=5, cutoff=0.6)
                 if names[n] not in near]
        hint = ("; did you mean: " + ", ".join(p.name for p in near[:5]) if near else
                f"; no key, name or email of the {len(people)} people matches it")
        raise ChaserError(f"unknown person {text!r}{hint}")

    def people_with(self, keys: Iterable[str], snapshot: Snapshot | None = None) -> list[Person]:
        """The latest snapshot's people, plus each of `keys` it does not know (someone chased
        who has since left the CRM) as the newest earlier snapshot knew them, else by key: the
        chase log outlives the people in it, and must stay searchable by who was chased."""
        people = list((snapshot or self.snapshot()).people)
        missing = set(keys) - {p.key for p in people}
        if missing:
            for old in reversed(self.store.snapshot_history()):
                for p in old.people:
                    if p.key in missing:
                        people.append(p)
                        missing.discard(p.key)
                if not missing:
                    break
            people += [Person(key, key) for key in sorted(missing)]
        return people

    # ---- chases -----------------------------------------------------------------------------
    def chases(self, since: datetime | None = None, until: datetime | None = None, *,
               include_voided: bool = True) -> list[Chase]:
        """Every writer's chases (Store.chases), and once per problem a notice of what the
        read left out ("warning: figures are incomplete: ...") or found but did not count
        (conflicted copies ...): every face that shows a chase or a cost reads them here."""
        from chaser.ledger_status import incomplete_text, notes_text

        chases = self.store.chases(since, until, include_voided=include_voided)
        issues = tuple(self.store.ledger.issues)
        self.ledger_issues, self.incomplete = issues, incomplete_text(issues)
        note = notes_text(issues)
        for text in (self.incomplete and f"warning: {self.incomplete}", note and f"note: {note}"):
            if text and text not in self._said:
                self._said.add(text)
                self.notice(text)
        return chases

    def known_fields(self) -> list[str]:
        names: dict[str, None] = {}
        for rule in self.settings.rules:
            names.update(dict.fromkeys(rule.require))
        for tally in self.summary().tallies.values():
            names.update(dict.fromkeys(tally.by_field))
        return list(names)

    def log_chase(self, person: Person, *, minutes: object, channel: str = "call",
                  outcome: str = "promised", fields: Sequence[str] = (), note: str = "",
                  at: datetime | None = None, by: str = "") -> Chase:
        """Validate and durably store one chase; the only way a single chase is written."""
        mins = validate_minutes(minutes)
        values = self._chase_values(channel, outcome, fields, note, at, by)
        return self.store.add_chase(person=person.key, minutes=mins, **values)

    def log_chases(self, people: Sequence[Person], *, minutes: object, channel: str = "call",
                   outcome: str = "promised", fields: Sequence[str] = (), note: str = "",
                   at: datetime | None = None, by: str = "") -> Batch:
        """One chase of many people (one email to a team): `minutes` is the whole act's,
        split across them in whole minutes that add up to it (chaser.bulk.split_minutes, in
        the order given; each person once). Every chase gets the same note, fields, channel,
        outcome and time, and the batch reference; all are durable in one write."""
        people = list({p.key: p for p in people}.values())
        if not people:
            raise ChaserError("no people to chase: mark some first")
        total = validate_minutes(minutes)
        if (why := too_few(total, len(people))) is not None:
            raise ChaserError(why)
        values = self._chase_values(channel, outcome, fields, note, at, by)
        if len(people) == 1:  # one person is a plain chase: no batch to name
            chases = [self.store.add_chase(person=people[0].key, minutes=total, **values)]
        else:
            chases = self.store.add_batch(
                {**values, "person": p.key, "minutes": m}
                for p, m in zip(people, split_minutes(total, len(people)), strict=True))
        return Batch(tuple(chases), {p.key: p.name for p in people})

    def _chase_values(self, channel: str, outcome: str, fields: Sequence[str], note: str,
                      at: datetime | None, by: str) -> dict:
        """The checks every chase passes (one, or many at once), as the ledger's keywords."""
        try:
            chan = Channel(channel)
        except ValueError:
            raise ChaserError(f"unknown channel {channel!r} (use one of: "
                              f"{', '.join(c.value for c in Channel)})") from None
        try:
            out = Outcome(outcome)
        except ValueError:
            raise ChaserError(f"unknown outcome {outcome!r} (use one of: "
                              f"{', '.join(o.value for o in Outcome)})") from None
        fields = tuple(dict.fromkeys(f.strip() for f in fields if f.strip()))
        known = self.known_fields()
        unknown = [f for f in fields if f not in known]
        if unknown:
            raise ChaserError(f"unknown field {unknown[0]!r} (fields with rules: "
                              f"{', '.join(known) or 'none'})")
        now = self.now()
        at = at or now
        clock.check_range(at, "chase time")
        if at > now + timedelta(minutes=5):
            raise ChaserError(f"chase time {at.isoformat(timespec='minutes')} is in the future")
        writer = self._said_writer()
        return {"at": at, "channel": chan, "outcome": out, "fields": fields,
                "note": note.strip(), "by": by or writer.name or writer.id, "logged_at": now}

    def _said_writer(self) -> Writer:
        """This installation's writer, and once per store the note of who that is."""
        writer = self.writer
        if writer.defaulted and not self.store.get_meta(WRITER_SAID):
            self.notice(f"note: chases are logged as admin {writer.id!r} (your login name); "
                        "set [admin] id, name and email in chaser.toml to choose")
            self.store.set_meta(WRITER_SAID, writer.id)
        return writer

    # ---- notes about people -----------------------------------------------------------------
    def add_note(self, person: Person, text: str) -> Note:
        """A dated note about a person, signed by this installation's admin; durable."""
        text = text.strip() if isinstance(text, str) else ""
        if not text:
            raise ChaserError("a note needs some text")
        writer = self._said_writer()
        try:
            return self.store.add_note(person=person.key, text=text,
                                       by=writer.name or writer.id, at=self.now())
        except ValueError as e:  # too long, say: the ledger's own check, in the user's words
            raise ChaserError(str(e)) from None

    def notes(self, person: Person | None = None) -> list[Note]:
        """Every admin's notes (of one person, or all), oldest first."""
        return self.store.notes(None if person is None else person.key)

    # ---- the barrier register (chaser.barrier_register) ------------------------------------
    def barriers(self, person: Person | None = None, *, open_only: bool = False) -> list:
        """Every barrier (of one person, or all), oldest first: opened by barrier chases,
        resolved by admins, and the CRM's field permissions as of the snapshots."""
        from chaser.barrier_register import register

        self.summary()  # a current snapshot first: the CRM's barriers come from the history
        found = register(self.chases(), self.store.resolutions(), self.store.snapshot_history())
        return [b for b in found if (person is None or b.person == person.key)
                and (b.open or not open_only)]

    def resolve_barrier(self, barrier_id: str, note: str):
        """Mark an open chase barrier removed, with a note saying how; durable. Returns the
        barrier as now registered (removed). ChaserError: unknown id, a CRM barrier, already
        resolved, or an empty note."""
        from chaser.barrier_register import resolvable
        from chaser.ledger import TICK

        note = note.strip() if isinstance(note, str) else ""
        if not note:
            raise ChaserError("a resolution needs a note saying what removed the barrier")
        barrier = resolvable(self.barriers(), barrier_id, self.tz)
        writer = self._said_writer()
        # After its last chase, whatever the clock says: a chase dated after the resolution
        # would open a new barrier, and this one would stay open.
        at = max(self.now(), barrier.chases[-1].at + TICK)
        try:
            done = self.store.add_resolution(barrier=barrier.id, person=barrier.person,
                                             note=note, by=writer.name or writer.id, at=at)
        except ValueError as e:  # too long, say: the ledger's own check, in the user's words
            raise ChaserError(str(e)) from None
        return next((b for b in self.barriers()
                     if b.id == barrier.id and b.resolution == done.id), barrier)


WRITER_SAID = "writer_default_said"


def open_ledger(settings: Settings, root) -> Ledger:
    """The ledger of these settings: [ledger] path (shared) or the data folder's own, written
    as the [admin] (or the OS user). Locks and seen-marks stay on this machine: beside the
    data for the default folder, else under the data root, one folder per shared path."""
    a = settings.admin
    writer = Writer(a.id, a.name or a.id, a.email) if a.id else Writer.from_os(a.name, a.email)
    path = settings.ledger_path
    if path is None:
        folder, local = root / "ledger", root / "ledger-local"
    else:
        folder = path
        digest = hashlib.sha256(str(path).encode()).hexdigest()[:12]
        local = locations.data_root() / "ledgers" / digest
    return Ledger(folder, writer, installation_id(locations.data_root()), local)
