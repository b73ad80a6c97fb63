"""HubSpot: owners and CRM v3 objects (deals, contacts, companies, ...) as people and records.

    [source]
    kind = "hubspot"
    [source.hubspot]
    base_url = "https://api.hubapi.com"
    objects = ["deals", "contacts", "companies"]
    rate_limit_per_10s = 100

The token (a private-app access token) lives in the keyring (`chaser connect hubspot`), or in
CHASER_HUBSPOT_TOKEN where there is no keyring; never in the config.

How a sync reads an object (the skeleton is chaser/connectors/incremental.py):
- full (first sync, `chaser sync --full`, rules that need other properties, another portal):
  list every record, 100 a page.
- otherwise incremental: search for records modified after the bookmark, oldest first, and
  merge them into the rows kept by the last sync; then one search with `limit=1` reads the
  object's `total`, and only when it differs from the merged rows are the ids listed to drop
  the records that were archived or deleted outright (GDPR deletes, merges).
The cache and bookmark move only in `commit()`, after the snapshot is stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from chaser import secrets
from chaser.config import Settings, Where
from chaser.connectors.base import Cancel, Capabilities, ConnectorError, Progress, ProgressFn
from chaser.connectors.http import Http, check_url, client_options, usage_notes
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
from chaser.connectors.incremental import Incremental
from chaser.errors import ChaserError
from chaser.model import Directory, Layout, Person, RecordBatch
from chaser.rules import Rule, required_fields

DEFAULT_BASE_URL = "https://api.hubapi.com"
DEFAULT_OBJECTS = ("deals", "contacts", "companies")
OWNER = "hubspot_owner_id"
CREATED = "createdate"
TYPE_IDS = {"contacts": "0-1", "companies": "0-2", "deals": "0-3", "tickets": "0-5"}
OBJECT_NAME = re.compile(r"[a-z][a-z0-9_]*|\d+-\d+")  # standard names, p_custom, or 2-123456
# HubSpot's search index trails writes by a few seconds, so a bookmark never comes closer
# than this to the sync's start: a record written just before the sync is read again next
# time rather than missed.
SEARCH_LAG = timedelta(minutes=2)

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
    full_sync_days: int | None = None  # no longer used: kept so old configs still load


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
    days = where.integer(t, "full_sync_days", None, 1, 365)
    return HubSpotSettings(url, objects, rate, days)


# ---- the connector ------------------------------------------------------------------------

class HubSpotConnector:
    kind = "hubspot"
    capabilities = Capabilities(incremental=True, record_urls=True)

    def __init__(self, settings: Settings, cache_root: Path, *, now: datetime,
                 full: bool = False, search_cap: int = SEARCH_CAP, **http_options) -> None:
        self.settings = settings
        self.hs: HubSpotSettings = settings.connector
        self.now = now
        token, self.token_source = secrets.read("hubspot")
        self.http = _client(self.hs, token, **http_options)
        self.api = Api(self.http, token, search_cap=search_cap)
        self.portal: Portal | None = None
        self.inc = Incremental(cache_root, "hubspot", now, full)
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
        # Owners carry createdAt (CRM v3 owners guide: "create/update dates"), never a login
        # date: HubSpot's person facts are "started" only.
        return Directory(tuple(people.values()), frozenset(queues),
                         facts=frozenset({"started"}))

    def batches(self, obj: str, progress: ProgressFn, cancel: Cancel) -> Iterator[RecordBatch]:
        self.http.cancel = cancel
        layout, properties = self._layout(obj)
        start = self.inc.start(obj, layout.columns, self._origin())
        if start.incremental:
            try:
                yield from self._incremental(start, layout, properties, progress, cancel)
                return
            except SearchStuck as e:  # nothing was yielded yet: falling back is safe
                start.full_reason = f"{e}; read in full instead"
                start.rows = {}
        yield from self._full_read(start, layout, properties, progress, cancel)

    def commit(self) -> None:
        """Called after the snapshot is stored: only now do cached rows and bookmarks move."""
        self.inc.commit()

    def notes(self) -> list[str]:
        out = [f"HubSpot: {self.http.requests:,} requests ({self.http.retries} retried)",
               *self.inc.notes, *self.inc.change_notes(), *self._notes,
               *(["token read from CHASER_HUBSPOT_TOKEN, not from the OS keyring"]
                 if self.token_source == "environment" else []),
               *(["full_sync_days in [source.hubspot] is no longer used (deletions are now "
                  "found by counting): it can be removed"] if self.hs.full_sync_days else []),
               *usage_notes(self.api.usage)]
        return [secrets.redact(line) for line in out]  # stored with the snapshot: never a token

    def close(self) -> None:
        self.http.close()

    # -- reading ----------------------------------------------------------------------------
    def _origin(self) -> str:
        return f"{self.hs.base_url}#{self.portal.id if self.portal else '?'}"

    def _layout(self, obj: str) -> tuple[Layout, list[str]]:
        modified = modified_property(obj)
        rule_fields = required_fields(self.settings.rules, obj)
        # Issue 13: the created date of the objects goals count. HubSpot's default
        # properties include `createdate` on every standard object ("CRM API | Properties":
        # createdate, hs_object_id and lastmodifieddate / hs_lastmodifieddate), read as a
        # property like the modified date, which is already read (the bookmark).
        dated = [CREATED] if obj in self.settings.dates_for else []
        columns = tuple(dict.fromkeys(["id", OWNER, NAME, modified, *rule_fields, *dated]))
        name_props = [p for alt in NAME_PARTS.get(obj, ()) for p in alt]
        properties = list(dict.fromkeys(
            c for c in [OWNER, modified, *name_props, *rule_fields, *dated]
            if c not in ("id", NAME)))
        type_id = TYPE_IDS.get(obj) or (obj if re.fullmatch(r"\d+-\d+", obj) else None)
        url = (f"https://{self.portal.ui_domain}/contacts/{self.portal.id}/record/{type_id}/{{id}}"
               if self.portal and type_id else None)
        index = {c: i for i, c in enumerate(columns)}
        layout = Layout(object=obj, columns=columns, id=index["id"], owner=index[OWNER],
                        name=index[NAME], modified=index[modified], url_template=url,
                        created=index.get(CREATED))
        return layout, properties

    def _full_read(self, start, layout, properties, progress, cancel) -> Iterator[RecordBatch]:
        rows: dict[str, list] = {}
        newest: int | None = None
        make = row_maker(start.obj, layout)
        for page in self.api.list_pages(start.obj, properties):
            cancel.check()
            fresh = []
            for rec in page.results:
                row = make(rec)
                if row[0] not in rows:  # a record seen twice is audited once
                    fresh.append(row)
                rows[row[0]] = row
                newest = _later(newest, row[layout.modified])
            progress(Progress(start.obj, len(rows), page.number, message=start.full_reason))
            yield RecordBatch(layout, fresh, pages=1)
        self.inc.stage(start, None if newest is None else str(self._since(newest)), rows)

    def _incremental(self, start, layout, properties, progress, cancel
                     ) -> Iterator[RecordBatch]:
        obj = start.obj
        make = row_maker(obj, layout)
        modified = modified_property(obj)
        since_ms = int(start.bookmark.since)
        newest: int | None = None
        pages = 0
        for page in self.api.search(obj, modified, since_ms, properties):
            cancel.check()
            pages += 1
            rows = [make(rec) for rec in page.results]
            self.inc.merge(start, rows)
            for row in rows:
                newest = _later(newest, row[layout.modified])
            progress(Progress(obj, pages, pages, total=page.total,
                              message=f"changes since {ms_to_iso(since_ms)}"))
        cancel.check()
        # Archived and deleted records leave no trace a search finds: one count tells.
        self.inc.reconcile(start, lambda: self.api.count(obj), lambda: self.api.ids(obj))
        since = since_ms if newest is None else max(since_ms, self._since(newest))
        yield from self.inc.replay(start, layout, pages)
        self.inc.stage(start, str(since))

    def _since(self, newest_ms: int) -> int:
        """min(newest change seen, sync start - lag): see SEARCH_LAG."""
        return min(newest_ms, int((self.now - SEARCH_LAG).timestamp() * 1000))


def _client(hs: HubSpotSettings, token: str, **http_options) -> Http:
    return Http(hs.base_url, **client_options(
        headers={"Authorization": f"Bearer {token}"}, rate_per_10s=hs.rate_limit_per_10s,
        **http_options))


def _later(newest: int | None, value: str | None) -> int | None:
    ms = to_ms(value)
    return newest if ms is None or (newest is not None and newest >= ms) else ms


# ---- chaser connect hooks -----------------------------------------------------------------

def whoami(settings, *, transport=None) -> str:
    """Check the stored token against HubSpot; say which account it opens. `settings` is the
    parsed [source.hubspot] table (or whole Settings)."""
    hs = settings.connector if isinstance(settings, Settings) else settings
    token, _ = secrets.read("hubspot")
    with _client(hs, token, transport=transport) as http:
        api = Api(http, token)
        portal = api.account()
        if portal is not None:
            line = f"connected to {hs.base_url} (portal {portal.id}, {portal.ui_domain})"
        else:  # No account-info scope: prove the token by reading one owner instead.
            api.get("/crm/v3/owners", "HubSpot owners", {"limit": 1})
            line = f"connected to {hs.base_url} (owners readable; portal id not visible)"
        return "; ".join([line, *usage_notes(api.usage)])


def connector(settings: Settings, *, cache_root: Path, now: datetime,
              full: bool = False) -> HubSpotConnector:
    if not isinstance(settings.connector, HubSpotSettings):
        raise ConnectorError("the [source.hubspot] settings are missing")
    return HubSpotConnector(settings, cache_root, now=now, full=full)
