"""HubSpot: owners and CRM v3 objects (deals, contacts, companies, ...) as people and records.

    [source]
    kind = "hubspot"
    [source.hubspot]
    base_url = "https://api.hubapi.com"
    objects = ["deals", "contacts", "companies"]
    rate_limit_per_10s = 100
    full_sync_days = 7          # optional: re-read everything at least this often

The token (a private-app access token) lives in the keyring (`chaser connect hubspot`), or in
CHASER_HUBSPOT_TOKEN where there is no keyring; never in the config.

How a sync reads an object:
- full (first sync, `chaser sync --full`, rules that need other properties, another portal,
  or the last full read older than `full_sync_days`): list every record, 100 a page.
- otherwise incremental: search for records modified after the bookmark, oldest first, and
  merge them into the rows kept by the last sync (RecordCache); then list the archived
  records (usually one page) and drop them. Records deleted outright (GDPR deletes, merges)
  leave no trace a search can find: the periodic full read drops them.
The cache and bookmark move only in `commit()`, after the snapshot is stored, so a failed or
cancelled sync leaves both the snapshot and the next sync's starting point as they were.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from chaser import clock, config, secrets, sync
from chaser.config import Settings, Where
from chaser.connectors.base import Cancel, Capabilities, ConnectorError, Progress, ProgressFn
from chaser.connectors.cache import RecordCache
from chaser.connectors.http import Http, check_url, usage_notes
from chaser.connectors.hubspot_api import (
    NAME,
    NAME_PARTS,
    SEARCH_CAP,
    Api,
    Portal,
    SearchStuck,
    ms_to_iso,
    person_of,
    row_maker,
    to_ms,
)
from chaser.errors import ChaserError
from chaser.model import Directory, Layout, Person, RecordBatch
from chaser.rules import Rule, required_fields
from chaser.store import Store

DEFAULT_BASE_URL = "https://api.hubapi.com"
DEFAULT_OBJECTS = ("deals", "contacts", "companies")
OWNER = "hubspot_owner_id"
TYPE_IDS = {"contacts": "0-1", "companies": "0-2", "deals": "0-3", "tickets": "0-5"}
OBJECT_NAME = re.compile(r"[a-z][a-z0-9_]*|\d+-\d+")  # standard names, p_custom, or 2-123456
# HubSpot's search index trails writes by a few seconds, so a bookmark never comes closer
# than this to the sync's start: a record written just before the sync is read again next
# time rather than missed.
SEARCH_LAG = timedelta(minutes=2)
CHUNK = 5_000  # rows per batch when the audit replays cached rows
BOOKMARK_VERSION = 1

# What `chaser connect hubspot` asks: (key, prompt, default); the default's type says how the
# answer is read (list = comma-separated, int = whole number), as for Salesforce.
CONNECT_FIELDS = [
    ("base_url", "HubSpot API URL", DEFAULT_BASE_URL),
    ("objects", "Objects to audit (comma-separated)", list(DEFAULT_OBJECTS)),
    ("rate_limit_per_10s", "Requests per 10 seconds (100; 190 on Professional and up)", 100),
]
# (secret name, prompt): stored in the keyring as hubspot:token.
SECRETS = [("token", "HubSpot private app access token")]


def modified_property(obj: str) -> str:
    return "lastmodifieddate" if obj == "contacts" else "hs_lastmodifieddate"


# ---- settings -----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class HubSpotSettings:
    base_url: str = DEFAULT_BASE_URL
    objects: tuple[str, ...] = DEFAULT_OBJECTS
    rate_limit_per_10s: int = 100
    full_sync_days: int = 7


def parse_settings(table: dict, where: Where) -> HubSpotSettings:
    for key in table if isinstance(table, dict) else ():
        if any(word in key.lower() for word in ("token", "secret", "password", "key")):
            raise where.at(key).fail("secrets never go in the config: run `chaser connect "
                                     "hubspot` (OS keyring), or set CHASER_HUBSPOT_TOKEN")
    t = where.table(table, {"base_url", "objects", "rate_limit_per_10s", "full_sync_days"})
    url = where.string(t, "base_url", DEFAULT_BASE_URL)
    try:
        url = check_url(url, "base_url")
    except ChaserError as e:
        raise where.at("base_url").fail(str(e)) from None
    objects = where.strings(t, "objects", DEFAULT_OBJECTS)
    if not objects:
        raise where.at("objects").fail("must name at least one object, e.g. [\"deals\"]")
    for o in objects:
        if not OBJECT_NAME.fullmatch(o):
            raise where.at("objects").fail(
                f"{o!r} is not a HubSpot object type (e.g. deals, contacts, companies, "
                "tickets, or a custom object's type id such as 2-123456)")
    if len(set(objects)) != len(objects):
        raise where.at("objects").fail("names an object twice")
    # HubSpot grants 100 (Free, Starter) or 190 (Professional, Enterprise) per 10 s per app;
    # the API Limit Increase add-on raises it to 250.
    rate = where.integer(t, "rate_limit_per_10s", 100, 1, 250)
    days = where.integer(t, "full_sync_days", 7, 1, 365)
    return HubSpotSettings(url, objects, rate, days)


# ---- the connector ------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Bookmark:
    """Where the next incremental read of one object starts; kept (as JSON) with its rows."""

    since_ms: int
    full_at: str  # ISO time of the last full read
    origin: str  # base URL and portal the rows came from

    def dump(self) -> str:
        return json.dumps({"v": BOOKMARK_VERSION, "since_ms": self.since_ms,
                           "full_at": self.full_at, "origin": self.origin})

    @classmethod
    def load(cls, text: str | None) -> Bookmark | None:
        try:
            d = json.loads(text or "")
            if d.get("v") != BOOKMARK_VERSION:
                return None
            return cls(int(d["since_ms"]), str(d["full_at"]), str(d["origin"]))
        except (ValueError, TypeError, KeyError, AttributeError):
            return None  # unreadable: a full read puts it right


class HubSpotConnector:
    kind = "hubspot"
    capabilities = Capabilities(incremental=True, record_urls=True)

    def __init__(self, settings: Settings, store: Store, *, full: bool = False,
                 now: datetime | None = None, search_cap: int = SEARCH_CAP,
                 **http_options) -> None:
        self.settings = settings
        self.hs: HubSpotSettings = settings.connector
        self.store = store
        self.full = full
        self.now = now or clock.now()
        token, self.token_source = secrets.get("hubspot")
        if not token:
            secrets.require("hubspot")  # raises the message that says what to do
        self.http = _client(self.hs, token, **http_options)
        self.api = Api(self.http, token, search_cap=search_cap)
        self.portal: Portal | None = None
        # object -> (cache, rows, bookmark), written by commit() once the snapshot is stored
        self._pending: dict[str, tuple[RecordCache, dict[str, list], str | None]] = {}
        self._notes: list[str] = []

    # -- Connector protocol -----------------------------------------------------------------
    def label(self) -> str:
        return f"HubSpot portal {self.portal.id}" if self.portal else f"HubSpot ({self.hs.base_url})"

    def objects(self) -> list[str]:
        return list(self.hs.objects)

    def source_rules(self) -> list[Rule]:
        return []  # HubSpot's own "required" flags live in forms and pipelines, not the API

    def directory(self, cancel: Cancel) -> Directory:
        """Active and archived owners: records may still point at people who left. Owners of
        type QUEUE (CRM v3 owners spec, PublicOwner.type) are a bucket, never a person."""
        self.http.cancel = cancel
        self.portal = self.api.account()
        people: dict[str, Person] = {}
        queues: set[str] = set()
        for archived in (False, True):
            for page in self.api.owners(archived):
                for owner in page.results:
                    p = person_of(owner, archived)
                    if p is None:
                        queues.add(str(owner.get("id")))
                    elif p.key not in people or p.active:  # an owner in both lists is active
                        people[p.key] = p
        return Directory(tuple(people.values()), frozenset(queues))

    def batches(self, obj: str, progress: ProgressFn, cancel: Cancel) -> Iterator[RecordBatch]:
        self.http.cancel = cancel
        layout, properties = self._layout(obj)
        cache = RecordCache(self.store.root, "hubspot", obj, layout.columns)
        rows, state = ({}, None) if self.full else cache.load()
        bookmark = Bookmark.load(state)
        why = self._full_reason(bookmark)
        if why is None:
            try:
                yield from self._incremental(obj, layout, properties, rows, bookmark, cache,
                                             progress, cancel)
                return
            except SearchStuck as e:  # nothing was yielded yet: falling back is safe
                why = f"{e}; read in full instead"
        yield from self._full_read(obj, layout, properties, cache, why, progress, cancel)

    def commit(self) -> None:
        """Called after the snapshot is stored: only now do cached rows and bookmarks move.
        Should this fail, the next sync merely starts from the older bookmark."""
        for cache, rows, bookmark in self._pending.values():
            cache.save(rows, bookmark)
        self._pending.clear()

    def notes(self) -> list[str]:
        out = [f"HubSpot: {self.http.requests:,} requests ({self.http.retries} retried)",
               *self._notes,
               *(["token read from CHASER_HUBSPOT_TOKEN, not from the OS keyring"]
                 if self.token_source == "environment" else []),
               *usage_notes(self.api.usage)]
        return [secrets.redact(line) for line in out]  # stored with the snapshot: never a token

    def close(self) -> None:
        self.http.close()

    # -- reading ----------------------------------------------------------------------------
    def _origin(self) -> str:
        return f"{self.hs.base_url}#{self.portal.id if self.portal else '?'}"

    def _full_reason(self, bookmark: Bookmark | None) -> str | None:
        if self.full:
            return "full read (--full)"
        if bookmark is None:
            return "full read (first sync, or the rules need other properties)"
        if bookmark.origin != self._origin():
            return "full read (another HubSpot account or URL than last time)"
        try:
            age = self.now - datetime.fromisoformat(bookmark.full_at)
        except (ValueError, TypeError):
            return "full read (bookmark unreadable)"
        if age >= timedelta(days=self.hs.full_sync_days):
            return (f"full read (the last is over {self.hs.full_sync_days} days old; it "
                    "drops deleted records)")
        return None

    def _layout(self, obj: str) -> tuple[Layout, list[str]]:
        modified = modified_property(obj)
        rule_fields = required_fields(self.settings.rules, obj)
        columns = tuple(dict.fromkeys(["id", OWNER, NAME, modified, *rule_fields]))
        name_props = [p for alt in NAME_PARTS.get(obj, ()) for p in alt]
        properties = list(dict.fromkeys(
            c for c in [OWNER, modified, *name_props, *rule_fields] if c not in ("id", NAME)))
        type_id = TYPE_IDS.get(obj) or (obj if re.fullmatch(r"\d+-\d+", obj) else None)
        url = (f"https://{self.portal.ui_domain}/contacts/{self.portal.id}/record/{type_id}/{{id}}"
               if self.portal and type_id else None)
        index = {c: i for i, c in enumerate(columns)}
        layout = Layout(object=obj, columns=columns, id=index["id"], owner=index[OWNER],
                        name=index[NAME], modified=index[modified], url_template=url)
        return layout, properties

    def _full_read(self, obj, layout, properties, cache, why, progress, cancel
                   ) -> Iterator[RecordBatch]:
        rows: dict[str, list] = {}
        newest: int | None = None
        make = row_maker(obj, layout)
        for page in self.api.list_pages(obj, properties):
            cancel.check()
            fresh = []
            for rec in page.results:
                row = make(rec)
                if row[0] not in rows:  # a record seen twice is audited once
                    fresh.append(row)
                rows[row[0]] = row
                newest = _later(newest, row[layout.modified])
            progress(Progress(obj, len(rows), page.number, message=why))
            yield RecordBatch(layout, fresh, pages=1)
        # No rows: no bookmark, so the next sync lists again (one request) rather than trust
        # the local clock against HubSpot's.
        mark = None if newest is None else Bookmark(
            self._since(newest), self.now.isoformat(), self._origin()).dump()
        self._pending[obj] = (cache, rows, mark)
        self._notes.append(f"{obj}: {why}, {len(rows):,} records")

    def _incremental(self, obj, layout, properties, rows, bookmark, cache, progress, cancel
                     ) -> Iterator[RecordBatch]:
        make = row_maker(obj, layout)
        modified = modified_property(obj)
        changed: set[str] = set()
        newest: int | None = None
        pages = 0
        for page in self.api.search(obj, modified, bookmark.since_ms, properties):
            cancel.check()
            pages += 1
            for rec in page.results:
                row = make(rec)
                if rows.get(row[0]) != row:  # one read again unchanged (SEARCH_LAG) is no change
                    changed.add(row[0])
                rows[row[0]] = row
                newest = _later(newest, row[layout.modified])
            progress(Progress(obj, len(changed), pages, total=page.total,
                              message=f"changes since {ms_to_iso(bookmark.since_ms)}"))
        removed = 0
        for page in self.api.list_pages(obj, [modified], archived=True):
            cancel.check()
            pages += 1
            for rec in page.results:
                removed += rows.pop(str(rec["id"]), None) is not None
        since = bookmark.since_ms if newest is None else max(bookmark.since_ms,
                                                              self._since(newest))
        self._pending[obj] = (cache, rows, Bookmark(since, bookmark.full_at,
                                                    bookmark.origin).dump())
        self._notes.append(f"{obj}: {len(changed):,} changed since "
                           f"{ms_to_iso(bookmark.since_ms)}, {removed:,} archived dropped, "
                           f"{len(rows):,} records")
        values = list(rows.values())
        for start in range(0, max(len(values), 1), CHUNK):
            cancel.check()
            yield RecordBatch(layout, values[start:start + CHUNK], pages=pages if not start else 0)

    def _since(self, newest_ms: int) -> int:
        """min(newest change seen, sync start - lag): see SEARCH_LAG."""
        return min(newest_ms, int((self.now - SEARCH_LAG).timestamp() * 1000))


def _client(hs: HubSpotSettings, token: str, **http_options) -> Http:
    return Http(hs.base_url, headers={"Authorization": f"Bearer {token}"},
                rate_per_10s=hs.rate_limit_per_10s, **http_options)


def _later(newest: int | None, value: str | None) -> int | None:
    ms = to_ms(value)
    return newest if ms is None or (newest is not None and newest >= ms) else ms


# ---- chaser connect hooks -----------------------------------------------------------------

def whoami(settings, *, transport=None) -> str:
    """Check the stored token against HubSpot; say which account it opens. `settings` is the
    parsed [source.hubspot] table (or whole Settings)."""
    hs = settings.connector if isinstance(settings, Settings) else settings
    token = secrets.require("hubspot")
    with _client(hs, token, transport=transport) as http:
        api = Api(http, token)
        portal = api.account()
        if portal is not None:
            line = f"connected to {hs.base_url} (portal {portal.id}, {portal.ui_domain})"
        else:  # No account-info scope: prove the token by reading one owner instead.
            api.get("/crm/v3/owners", "HubSpot owners", {"limit": 1})
            line = f"connected to {hs.base_url} (owners readable; portal id not visible)"
        return "; ".join([line, *usage_notes(api.usage)])


def _factory(settings: Settings, store: Store, full: bool) -> HubSpotConnector:
    if not isinstance(settings.connector, HubSpotSettings):
        raise ConnectorError("the [source.hubspot] settings are missing")
    return HubSpotConnector(settings, store, full=full)


config.SOURCE_SECTIONS["hubspot"] = parse_settings
sync.FACTORIES["hubspot"] = _factory
