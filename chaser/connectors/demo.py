"""The built-in demo org, "Acme Demo": a synthetic Salesforce org that needs no credentials.

50 people in six teams own 25,000 Accounts, Contacts, Opportunities and Leads; two admins
logged 90 days of chases. All of it is drawn from one fixed seed (`random.Random(SEED)`, never
the global generator or `hash()`) with dates relative to the injected `now`: every run on
every machine sees the same org.

History: each blank is an *episode* that opened at one moment and was filled at a later one
(or never). `DemoConnector(now, as_of)` is the org as it was at `as_of`: records created later
are absent, and a field is blank when an episode on it was open then. Chases drive the fills
("fixed" fills some chased gaps within a day or two, a kept promise within a week or so), so
the snapshots at `weekly_history(now)` and `demo_chases(now)` tell one story. The cast (see
`demo_data.TEAMS`): steady grade-a, moderate and ineffective reps; reps who improve once
chased; two reps blocked by a barrier (access, training) until it was removed, and one still
blocked (her profile cannot edit a rule field: `demo_data.CANNOT_EDIT`); reps whose compliance
fades 6-8 weeks after a refresher training; managers, who are people with small books in the
team they manage (the VP above them is a name only); an inactive owner who still owns records;
a new hire and a rep who never logged in, who own nothing; queue-owned leads.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from math import inf, log
from typing import NamedTuple

from chaser.connectors import demo_data as D
from chaser.connectors.base import Cancel, Capabilities, ConnectorError, Progress, ProgressFn
from chaser.connectors.demo_chases import chase_rows
from chaser.connectors.demo_data import DAY, Episode, Owner
from chaser.connectors.demo_people import with_facts
from chaser.model import Directory, Layout, Person, RecordBatch
from chaser.rules import Blank, Condition, Rule, compile_rules

SEED = 20260111
BATCH_SIZE = 2000
HISTORY_WEEKS = 12
URL = "https://acme-demo.my.salesforce.com/{id}"
CLOSED = D.CLOSED

DEMO_RULES: tuple[Rule, ...] = (
    Rule("Account", ("Industry", "BillingCountry", "Phone")),
    Rule("Account", ("AnnualRevenue",), Condition("Type", "equals", "Customer")),
    Rule("Contact", ("Email", "Phone", "Title")),
    Rule("Opportunity", ("AccountId", "LeadSource")),
    Rule("Opportunity", ("Amount", "CloseDate"),
         Condition("StageName", "in", ("Proposal", "Negotiation", "Closed Won"))),
    Rule("Opportunity", ("NextStep",), Condition("StageName", "not_in", CLOSED)),
    Rule("Opportunity", ("Loss_Reason__c",), Condition("StageName", "equals", "Closed Lost")),
    Rule("Lead", ("Company", "Email", "LeadSource")),
    Rule("Lead", ("Phone", "Industry"),
         Condition("Status", "in", ("Working - Contacted", "Nurturing", "Qualified"))),
)

LAYOUTS = {obj: Layout(obj, cols, id=0, owner=cols.index("OwnerId"), name=1,
                       modified=len(cols) - 1, url_template=URL,
                       created=cols.index("CreatedDate"))
           for obj, cols in D.COLUMNS.items()}


def weekly_history(now: datetime) -> list[datetime]:
    """Snapshot dates for seeding trends: one a week for 12 weeks before `now`, oldest first."""
    return [_utc(now) - timedelta(weeks=k) for k in range(HISTORY_WEEKS, 0, -1)]


def demo_chases(now: datetime) -> list[dict]:
    """The demo org's chase log: 90 days of chases by two admins, oldest first."""
    org = _org(_utc(now).timestamp())
    return [{"at": datetime.fromtimestamp(at, UTC), "person": key, "channel": ch,
             "minutes": mins, "outcome": outcome, "fields": fields, "note": note, "by": by}
            for at, key, ch, mins, outcome, fields, note, by in org.chases]


class DemoConnector:
    """The demo org as it was at `as_of` (default: `now`; a later `as_of` reads as `now`)."""

    kind = "demo"
    capabilities = Capabilities(record_urls=True)

    def __init__(self, now: datetime, as_of: datetime | None = None) -> None:
        self.now = _utc(now)
        self.as_of = min(_utc(as_of), self.now) if as_of is not None else self.now

    def label(self) -> str:
        return "demo org (Acme Demo)"

    def objects(self) -> list[str]:
        return list(D.COLUMNS)

    def directory(self, cancel: Cancel) -> Directory:
        cancel.check()
        org = _org(self.now.timestamp())
        people = with_facts(org.people, self.now.timestamp(), self.as_of.timestamp())
        return Directory(people=people, queues=frozenset(org.queues),
                         facts=frozenset({"started", "last_login"}))

    def source_rules(self) -> list[Rule]:
        return []

    def commit(self) -> None:
        """Nothing to keep: every sync reads the whole (generated) org."""

    def notes(self) -> list[str]:
        return []

    def batches(self, obj: str, progress: ProgressFn, cancel: Cancel) -> Iterator[RecordBatch]:
        if obj not in D.COLUMNS:
            raise ConnectorError(f"demo org: no object {obj!r} (it has {', '.join(D.COLUMNS)})")
        cancel.check()
        table = _org(self.now.timestamp()).tables[obj]
        rows = table.rows_at(self.as_of.timestamp())
        total, pages = len(rows), 0
        for start in range(0, total, BATCH_SIZE):
            cancel.check()
            pages += 1
            yield RecordBatch(table.layout, rows[start:start + BATCH_SIZE])
            progress(Progress(obj, min(start + BATCH_SIZE, total), pages, total))
        progress(Progress(obj, total, pages, total, done=True))

    def close(self) -> None:
        """Nothing to release."""


# ---- the org ---------------------------------------------------------------------------------


def _utc(at: datetime) -> datetime:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC)


class _Table:
    """One object's records: complete rows, and the blank episodes on them."""

    def __init__(self, obj: str, left: float) -> None:
        self.layout, self.left = LAYOUTS[obj], left
        self.rows: list[list] = []
        self.owners: list[Owner] = []
        self.created: list[float] = []
        self.until: list[float] = []  # when the owner last could touch it (inactive: left)
        self.eps: dict[int, list[Episode]] = {}

    def add(self, row: list, owner: Owner, created: float) -> None:
        row[-2] = D.sf_stamp(created)
        self.rows.append(row)
        self.owners.append(owner)
        self.created.append(created)
        self.until.append(self.left if owner.profile == "GONE" else inf)

    def rows_at(self, at: float) -> list[list]:
        """Fresh rows as they were at `at`; SystemModstamp follows the episodes seen."""
        out, eps, created, until = [], self.eps, self.created, self.until
        for i, base in enumerate(self.rows):
            c = created[i]
            if c > at:
                continue
            row = base[:]
            m = c + (min(at, until[i]) - c) * (i * 0.618034 % 1.0)  # spread, stable per record
            for e in eps.get(i, ()):
                if e.opened <= at < e.filled:
                    for col, v in zip(e.cols, e.values, strict=True):
                        row[col] = v
                    m = max(m, e.opened)
                elif e.opened <= at:
                    m = max(m, e.filled)
            row[-1] = D.sf_stamp(m)
            out.append(row)
        return out


class _Org(NamedTuple):
    people: tuple[Person, ...]
    queues: dict[str, str]  # id -> name
    tables: dict[str, _Table]
    chases: list[tuple]  # (at, person, channel, minutes, outcome, fields, note, by), sorted


@lru_cache(maxsize=2)
def _org(now: float) -> _Org:
    rng = random.Random(SEED)
    people, who = [], []
    keys = iter(D.sf_ids("005", 1_207_000, 60))
    for team, members in D.TEAMS.items():
        manager = " ".join(members[0][:2])
        for first, last, profile in members:
            who.append(Owner(next(keys), team, profile, rng))
            name = f"{first} {last}"
            people.append(Person(who[-1].key, name, team, D.VP if profile == "mgr" else manager,
                                 f"{D.ascii_slug(first)}.{D.ascii_slug(last)}@acme-demo.example",
                                 profile != "GONE", D.CANNOT_EDIT.get(name, ())))
    queues = dict(zip(D.sf_ids("00G", 61_000, len(D.QUEUES)), D.QUEUES, strict=True))
    gen = _Gen(rng, now, who, [Owner(k, "", "QUEUE", rng) for k in queues])
    tables = {"Account": gen.accounts(), "Contact": gen.contacts(),
              "Opportunity": gen.opportunities(), "Lead": gen.leads()}
    for table in tables.values():
        gen.episodes(table)
    return _Org(tuple(people), queues, tables, gen.chases(people))


class _Gen:
    """Draws the records, their blank episodes and the chases, always in the same order."""

    def __init__(self, rng: random.Random, now: float, who: list[Owner], queues: list[Owner]):
        self.rng, self.rnd, self.now, self.who, self.queues = rng, rng.random, now, who, queues
        self.left = now - D.DEPARTED_DAYS_AGO * DAY
        self.trained = now - D.TRAINING_DAYS_AGO * DAY
        self.names = {r: ([(f, D.ascii_slug(f)) for f in D.FIRST[r]],
                          [(n, D.ascii_slug(n)) for n in D.LAST[r]]) for r in D.FIRST}
        self.slug = {w: D.ascii_slug(w) for w in D.COMPANY_A + D.COMPANY_B}
        self.acc: list[tuple] = []  # per account: (id, owner, created, short name, domain, geo)
        self.cums: dict[tuple, list[float]] = {}  # team factors -> owners' cumulative weights

    def pick(self, seq):
        return seq[int(self.rnd() * len(seq))]

    def many(self, seq, n: int, weighted: bool = False) -> list:
        """`n` independent picks from `seq` (of (value, weight) pairs when `weighted`)."""
        if not weighted:
            return self.rng.choices(seq, k=n)
        return self.rng.choices([v for v, _ in seq], cum_weights=D.cumulative(w for _, w in seq),
                                k=n)

    def owners(self, n: int, factor: tuple = ()) -> list[Owner]:
        """`n` owners drawn by book size; `factor` scales some teams' share: ((team, x),)."""
        cum = self.cums.get(factor) or self.cums.setdefault(factor, D.cumulative(
            w.weight * dict(factor).get(w.team, 1.0) for w in self.who))
        return self.rng.choices(self.who, cum_weights=cum, k=n)

    def created(self, owner: Owner, span: float, recent: float) -> float:
        rnd = self.rnd
        days = 120 * rnd() if rnd() < recent else span * rnd()
        if owner.profile == "GONE":
            days = D.DEPARTED_DAYS_AGO + (span - D.DEPARTED_DAYS_AGO) * rnd()
        return self.now - days * DAY - 3600 * 9 * rnd()

    def child(self, recent: float) -> tuple[tuple, Owner, float]:
        """An account for a contact or deal, its owner (mostly the account's) and creation."""
        acc = self.pick(self.acc)
        owner = acc[1] if self.rnd() < 0.9 else self.owners(1)[0]
        age = min(self.now - acc[2], 120 * DAY) if self.rnd() < recent else self.now - acc[2]
        c = self.now - age * self.rnd()
        while owner.profile == "GONE" and c > self.left:  # he left: new records go elsewhere
            owner = self.owners(1)[0]
        return acc, owner, c

    def phone(self, geo: tuple) -> str:
        return D.phone(geo, self.pick(geo[2]), int(self.rnd() * 10_000_000))

    def accounts(self) -> _Table:
        t, rnd, pick, n = _Table("Account", self.left), self.rnd, self.pick, D.COUNTS["Account"]
        combos = [(a, b) for a in D.COMPANY_A for b in D.COMPANY_B]
        self.rng.shuffle(combos)
        owners = self.owners(n, (("SMB Inside Sales", 0.6),))
        kinds, industries = self.many(D.ACCOUNT_TYPES, n, True), self.many(D.INDUSTRIES, n)
        for i, (rid, owner) in enumerate(zip(D.sf_ids("001", 4_410_000, n), owners, strict=True)):
            c, geo, (a, b) = self.created(owner, 1800, 0.05), pick(D.GEO[owner.region]), \
                combos[i % len(combos)]
            domain, staff = f"{self.slug[a]}{self.slug[b]}.example", int(10 ** (1 + 3.6 * rnd()))
            revenue = str(round(staff * (60 + 200 * rnd())) * 1000)
            self.acc.append((rid, owner, c, f"{a} {b}", domain, geo))
            t.add([rid, f"{a} {b}{pick(geo[3])}", owner.key, kinds[i], industries[i], geo[0],
                   pick(geo[4]), self.phone(geo), f"www.{domain}" if rnd() < 0.9 else None,
                   revenue if kinds[i] == "Customer" or rnd() < 0.5 else None,
                   str(staff) if rnd() < 0.85 else None, None, None], owner, c)
        return t

    def contacts(self) -> _Table:
        t, pick, rnd, n = _Table("Contact", self.left), self.pick, self.rnd, D.COUNTS["Contact"]
        for rid, title in zip(D.sf_ids("003", 9_100_000, n), self.many(D.TITLES, n), strict=True):
            acc, owner, c = self.child(0.08)
            firsts, lasts = self.names[owner.region]
            (first, fa), (last, la) = pick(firsts), pick(lasts)
            t.add([rid, f"{first} {last}", first, last, acc[0], owner.key, title,
                   f"{fa[0] if rnd() < 0.3 else fa + '.'}{la}@{acc[4]}", self.phone(acc[5]),
                   None, None], owner, c)
        return t

    def opportunities(self) -> _Table:
        t, rnd, now, n = _Table("Opportunity", self.left), self.rnd, self.now, \
            D.COUNTS["Opportunity"]
        ids, stages = D.sf_ids("006", 3_050_000, n), self.many(D.OPEN_STAGES, n, True)
        steps, products, sources, types, reasons = (self.many(x, n) for x in (
            D.NEXT_STEPS, D.PRODUCTS, D.LEAD_SOURCES, D.OPP_TYPES, D.LOSS_REASONS))
        for i, rid in enumerate(ids):
            acc, owner, c = self.child(0.25)
            won, lost = (0.4, 0.9) if now - c > 180 * DAY else (0.2, 0.45) if now - c > 60 * DAY \
                else (0.05, 0.1)
            r = rnd()
            stage = "Closed Won" if r < won else "Closed Lost" if r < lost else stages[i]
            if stage in D.CLOSED:
                dur = (20 + 160 * rnd()) * DAY
                close = c + dur if c + dur < now else c + (now - c) * rnd()
                step = steps[i] if rnd() < 0.3 else None
            else:
                close, step = now + (7 + 150 * rnd()) * DAY, steps[i]
            lo, hi = (3000, 40000) if owner.team == "SMB Inside Sales" else (15000, 600000)
            early = stage in ("Prospecting", "Qualification", "Discovery")
            amount = str(int(lo * (hi / lo) ** rnd()) // 100 * 100)
            t.add([rid, f"{acc[3]} - {products[i]}", acc[0], owner.key, stage,
                   amount if not early or rnd() < 0.65 else None,
                   D.sf_date(close) if not early or rnd() < 0.9 else None, step, sources[i],
                   types[i], reasons[i] if stage == "Closed Lost" else None, None, None],
                  owner, c)
        return t

    def leads(self) -> _Table:
        t, pick, rnd, n = _Table("Lead", self.left), self.pick, self.rnd, D.COUNTS["Lead"]
        owners, statuses = self.owners(n, (("SMB Inside Sales", 2.5),)), \
            self.many(D.LEAD_STATUSES, n, True)
        titles, sources, industries, comp_a, comp_b = (self.many(x, n) for x in (
            D.TITLES, D.LEAD_SOURCES, D.INDUSTRIES, D.COMPANY_A, D.COMPANY_B))
        for i, (rid, owner) in enumerate(zip(D.sf_ids("00Q", 7_700_000, n), owners, strict=True)):
            owner = pick(self.queues) if rnd() < D.QUEUE_SHARE else owner
            c = self.created(owner, 700, 0.3)
            region = owner.region or pick(tuple(D.FIRST))
            firsts, lasts = self.names[region]
            (first, fa), (last, la), a, b = pick(firsts), pick(lasts), comp_a[i], comp_b[i]
            geo, status = pick(D.GEO[region]), statuses[i]
            asked = status in ("Working - Contacted", "Nurturing", "Qualified")
            t.add([rid, f"{first} {last}", first, last, f"{a} {b}{pick(geo[3])}",
                   titles[i] if rnd() < 0.75 else None,
                   f"{fa}.{la}@{self.slug[a]}{self.slug[b]}.example",
                   self.phone(geo) if asked or rnd() < 0.6 else None, status, sources[i],
                   industries[i] if asked or rnd() < 0.5 else None, owner.key, None, None],
                  owner, c)
        return t

    def episodes(self, t: _Table) -> None:
        """Draw each record's blank episodes from its owner's profile: chronic (open since
        creation; a FADE person's were filled at the training), late (recent records filled
        some days after creation), and faded (opened 6-10 weeks after the training)."""
        rnd, pick, now, trained = self.rnd, self.pick, self.now, self.trained
        check, index = compile_rules(DEMO_RULES, t.layout, Blank()), t.layout.index()
        conds = sorted({index[r.when.field] for r in DEMO_RULES
                        if r.object == t.layout.object and r.when is not None})
        pools: dict[tuple, list[tuple[int, str]]] = {}  # condition values -> weighted fields
        fade_from = trained + 42 * DAY
        for i, (owner, c) in enumerate(zip(t.owners, t.created, strict=True)):
            found = []
            if rnd() < owner.chronic and not (owner.fade and c >= trained):
                found.append((c, trained + 5 * DAY * rnd() if owner.fade else inf))
            elif c > now - 120 * DAY and rnd() < owner.late:
                found.append((c, c + DAY * owner.lag * -log(1.0 - rnd()) + 3600))
            if owner.fade and rnd() < owner.fade:
                found.append((max(c, fade_from + (now - fade_from) * rnd()), inf))
            if not found:
                continue
            key = tuple(t.rows[i][col] for col in conds)
            if key not in pools:
                template: list = [None] * len(t.layout.columns)
                for col in conds:
                    template[col] = t.rows[i][col]
                pools[key] = [(index[f], f) for f in check(template)
                              for _ in range(int(2 * D.FIELD_WEIGHT[f]))]
            pool = pools[key]
            for opened, filled in found:
                r = rnd()
                picks = sorted({pick(pool) for _ in range(1 if r < 0.65 else 2 if r < 0.92 else 3)})
                values = tuple(pick(D.PLACEHOLDERS[f]) if f in D.PLACEHOLDERS and rnd() < 0.3
                               else None for _, f in picks)
                e = Episode(tuple(col for col, _ in picks), values, tuple(f for _, f in picks),
                        opened, filled)
                t.eps.setdefault(i, []).append(e)
                owner.eps.append(e)

    def chases(self, people: list[Person]) -> list[tuple]:
        return chase_rows(self, people)  # connectors/demo_chases.py


def connector(settings, *, cache_root, now: datetime, full: bool = False) -> DemoConnector:
    return DemoConnector(now=now)
