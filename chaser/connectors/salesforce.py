"""The Salesforce connector: [source.salesforce] settings, people from User, records by SOQL.

Per object: describe (name field, required fields, which rule fields exist), then one SOQL
query selecting only the fields the rules, the owner and the display need. The first sync of
an object (or `chaser sync --full`) reads everything; later syncs ask queryAll for rows with
SystemModstamp after the bookmark, drop the ones marked IsDeleted, and audit the merge with the
cached rows. The cache and bookmark move only in `commit()`, after the snapshot is stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from chaser import config
from chaser.connectors.base import (
    Cancel,
    Capabilities,
    Progress,
    ProgressFn,
)
from chaser.connectors.http import check_url, usage_line, usage_notes
from chaser.connectors.incremental import Bookmark, Incremental
from chaser.connectors.salesforce_access import field_access, rule_fields
from chaser.connectors.salesforce_api import AUTH_MODES, SOURCE, SalesforceApi
from chaser.connectors.salesforce_plan import FIELD, Plan, make_plan  # noqa: F401 - make_plan: API
from chaser.errors import ChaserError
from chaser.model import NO_TEAM, Directory, Person, RecordBatch
from chaser.rules import Rule
from chaser.secrets import redact

DEFAULT_OBJECTS = ("Opportunity", "Account", "Contact", "Lead")
DEFAULT_LOGIN = "https://login.salesforce.com"
_OBJECT = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,79}")
SECRET_KEYS = ("token", "access_token", "refresh_token", "client_secret", "password",
               "session_id")
RECYCLE_DAYS = 14  # deleted rows leave the recycle bin after 15 days: older bookmarks re-read all
# SystemModstamp is whole seconds and is stamped when a transaction writes, not when it
# commits: a record written in the second of the newest one seen, or by a transaction still
# open when the query ran, can carry a stamp at or below it. So the bookmark never comes
# closer than this to the sync's start; such records are read again next time, never missed.
COMMIT_LAG = timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class SalesforceSettings:
    instance_url: str
    login_url: str = DEFAULT_LOGIN
    api_version: str = "62.0"
    auth: str = "token"
    client_id: str | None = None
    objects: tuple[str, ...] = DEFAULT_OBJECTS
    team_field: str = "UserRole.Name"
    rules_from_describe: bool = True
    bulk_threshold: int = 50_000
    page_size: int = 2000  # Sforce-Query-Options batchSize, 200-2000
    rate_limit: int = 100  # requests per 10 s, client side
    timeout: int = 30  # seconds per call


def parse_settings(table: dict, where: config.Where) -> SalesforceSettings:
    if not isinstance(table, dict):
        raise where.fail("must be a table")
    for key in SECRET_KEYS:
        if key in table:  # never echo the value: it is a secret
            raise where.at(key).fail("secrets do not belong in the config file; remove it and "
                                     "run `chaser connect salesforce` to keep it in the OS keyring")
    where.table(table, {f.name for f in SalesforceSettings.__dataclass_fields__.values()},
                {"instance_url"})
    urls = {}
    for key in ("instance_url", "login_url"):
        value = where.string(table, key, DEFAULT_LOGIN)
        if "@" in urlsplit(value.strip()).netloc:  # user:password@host: never echo it back
            raise where.at(key).fail("must not contain credentials; chaser keeps them in the "
                                     "OS keyring (run `chaser connect salesforce`)")
        try:
            urls[key] = check_url(value, key)
        except ChaserError as e:
            raise where.at(key).fail(str(e)) from None
    version = where.string(table, "api_version", "62.0")
    if not re.fullmatch(r"\d{2,3}\.0", version):
        raise where.at("api_version").fail(f"must look like \"62.0\", not {version!r}")
    auth = where.string(table, "auth", "token")
    if auth not in AUTH_MODES:
        raise where.at("auth").fail(f"must be one of {', '.join(AUTH_MODES)}, not {auth!r}")
    client_id = where.string(table, "client_id")
    if auth != "token" and not client_id:
        raise where.at("client_id").fail(f"is required when auth = \"{auth}\" (the connected "
                                         "app's consumer key)")
    objects = where.strings(table, "objects", DEFAULT_OBJECTS)
    for i, obj in enumerate(objects):
        if not _OBJECT.fullmatch(obj):
            raise where.at("objects").item(i).fail(f"{obj!r} is not a Salesforce object name")
    if not objects or len(set(objects)) != len(objects):
        raise where.at("objects").fail("must name one or more objects, each once")
    team_field = where.string(table, "team_field", "UserRole.Name")
    if not FIELD.fullmatch(team_field):
        raise where.at("team_field").fail(f"{team_field!r} is not a User field such as "
                                          "UserRole.Name or Department")
    return SalesforceSettings(
        instance_url=urls["instance_url"], login_url=urls["login_url"], api_version=version,
        auth=auth, client_id=client_id, objects=objects, team_field=team_field,
        rules_from_describe=where.boolean(table, "rules_from_describe", True),
        bulk_threshold=where.integer(table, "bulk_threshold", 50_000, 0, 10**9),
        page_size=where.integer(table, "page_size", 2000, 200, 2000),
        rate_limit=where.integer(table, "rate_limit", 100, 1, 10_000),
        timeout=where.integer(table, "timeout", 30, 1, 600),
    )


# ---- what `chaser connect salesforce` asks ------------------------------------------------
# (key, prompt, default[, when(answers) -> bool]); the default's type says how to read the
# answer: list = comma-separated, bool = yes/no, int = whole number.
CONNECT_FIELDS = [
    ("instance_url", "Instance URL (e.g. https://acme.my.salesforce.com)", None),
    ("auth", "Sign-in: token, refresh_token or client_credentials", "token"),
    ("client_id", "Connected app consumer key", None, lambda a: a.get("auth") != "token"),
    ("login_url", "Login URL (https://test.salesforce.com for a sandbox; your My Domain URL "
                  "for client_credentials)", DEFAULT_LOGIN,
     lambda a: a.get("auth") != "token"),
    ("api_version", "API version", "62.0"),
    ("objects", "Objects to audit (comma-separated)", list(DEFAULT_OBJECTS)),
    ("team_field", "User field naming the team (UserRole.Name or Department)", "UserRole.Name"),
    ("rules_from_describe", "Also require the fields Salesforce itself requires", True),
    ("bulk_threshold", "Use Bulk API 2.0 for objects with more records than", 50_000),
]
# Per auth mode: (secret name, prompt, required). Stored in the keyring as salesforce:<name>.
SECRETS = {
    "token": [("token", "Access token (session id)", True)],
    "refresh_token": [("refresh_token", "Refresh token", True),
                      ("client_secret", "Consumer secret (Enter if the app needs none)", False)],
    "client_credentials": [("client_secret", "Consumer secret", True)],
}


def whoami(settings: config.Settings | SalesforceSettings, *,
           transport: httpx.BaseTransport | None = None) -> str:
    """Sign in and ask who we are: the connection test of `chaser connect`."""
    s = settings.connector if isinstance(settings, config.Settings) else settings
    api = SalesforceApi(s, transport=transport)
    try:
        api.authenticate()
        me = api.userinfo()
        api.limits()  # proves the API version exists and reads the allowance
    finally:
        api.close()
    name = me.get("name") or me.get("preferred_username") or "an unnamed user"
    email = f" ({me['email']})" if me.get("email") else ""
    line = f"connected to {s.instance_url} as {name}{email}"
    if api.usage:
        line += f"; {usage_line(api.usage)}"
    return redact(line)  # the name and email come from the server


# ---- the connector -------------------------------------------------------------------------

class SalesforceConnector:
    kind = "salesforce"
    capabilities = Capabilities(incremental=True, record_urls=True, describe=True)

    def __init__(self, settings: config.Settings, cache_root: Path, *, now: datetime,
                 full: bool = False, transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        self.sf: SalesforceSettings = settings.connector
        self.started = now
        self.api = SalesforceApi(self.sf, transport=transport)
        self.inc = Incremental(cache_root, SOURCE, now, full)
        self._signed_in = False
        self._plans: dict[str, Plan] = {}

    def label(self) -> str:
        return f"Salesforce {urlsplit(self.sf.instance_url).hostname}"

    def objects(self) -> list[str]:
        return list(self.sf.objects)

    def _ready(self, cancel: Cancel | None) -> None:
        if cancel is not None:
            self.api.set_cancel(cancel)
        if not self._signed_in:
            self.api.authenticate()
            self._signed_in = True

    def directory(self, cancel: Cancel) -> Directory:
        self._ready(cancel)
        team = self.sf.team_field
        # Issue 13: when a person started and last logged in (Object Reference, "User":
        # CreatedDate; LastLoginDate, "Nillable": null for a user who never logged in).
        fields = list(dict.fromkeys(["Id", "Name", "Email", "IsActive", "Manager.Name",
                                     "CreatedDate", "LastLoginDate", team]))
        at = fields.index(team)
        people = []
        # Standard users only: Chatter, portal and automated users own no sales records, and
        # listing them would fill the people view with "none" tiers nobody can act on.
        soql = f"SELECT {', '.join(fields)} FROM User WHERE UserType = 'Standard'"
        for rows, _, _ in self.api.rows(soql, "User", fields):
            for r in rows:
                people.append(Person(key=r[0], name=r[1] or r[0], team=r[at] or NO_TEAM,
                                     manager=r[4], email=r[2], active=r[3] == "true",
                                     started=_parse(r[5]) if r[5] else None,
                                     last_login=_parse(r[6]) if r[6] else None))
        # Queue owners are a bucket, never a person: their ids come from Group, not User.
        queues = set()
        for rows, _, _ in self.api.rows("SELECT Id FROM Group WHERE Type = 'Queue'", "Group",
                                        ["Id"]):
            queues.update(r[0] for r in rows)
        # Who may edit which rule field (field-level security): blanks an owner may not fill
        # are not blamed on them (chaser.access). A few queries, counted with the others.
        access = field_access(self.api, people, rule_fields(self.settings.rules, self.sf.objects))
        self.api.notices.extend(access.notes)
        people = [replace(p, cannot_edit=access.cannot_edit[p.key])
                  if p.key in access.cannot_edit else p for p in people]
        return Directory(tuple(people), frozenset(queues), complete=True,
                         facts=frozenset({"started", "last_login"}))

    # ---- describe -> plan ------------------------------------------------------------------
    def source_rules(self) -> list[Rule]:
        if not self.sf.rules_from_describe:
            return []
        return [Rule(obj, self._plan(obj).required, origin="describe")
                for obj in self.sf.objects if self._plan(obj).required]

    def _plan(self, obj: str) -> Plan:
        plan = self._plans.get(obj)
        if plan is None:
            self._ready(None)
            plan = self._plans[obj] = make_plan(obj, self.api.describe(obj), self.settings.rules,
                                                self.sf, obj in self.settings.dates_for)
        return plan

    # ---- records ---------------------------------------------------------------------------
    def _horizon(self, bookmark: Bookmark) -> str | None:
        # queryAll sees a deletion only while it sits in the recycle bin (15 days at most),
        # counted from the last successful sync, not from the newest record: an object nobody
        # edited for a year still syncs incrementally. Deletions purged sooner (a full bin
        # purges after 2 hours, hard deletes skip it) are caught by counting.
        if bookmark.age(self.started) > RECYCLE_DAYS:
            return f"full read (the last sync is over {RECYCLE_DAYS} days old)"
        return None

    def batches(self, obj: str, progress: ProgressFn, cancel: Cancel) -> Iterator[RecordBatch]:
        self._ready(cancel)
        layout = self._plan(obj).layout
        start = self.inc.start(obj, layout.columns, self.sf.instance_url, self._horizon)
        incremental = start.incremental
        fields = [*layout.columns, *(["IsDeleted"] if incremental else [])]
        soql = f"SELECT {', '.join(fields)} FROM {obj}"
        if incremental:
            soql += f" WHERE SystemModstamp > {start.bookmark.since}"
        rows: dict[str, list] = {}
        newest: str | None = None
        seen = pages = 0
        mod = layout.modified
        for page_rows, page, total in self.api.rows(soql, obj, fields, all_rows=incremental,
                                                    bulk_threshold=self.sf.bulk_threshold):
            pages = page
            seen += len(page_rows)
            top = max((r[mod] for r in page_rows if r[mod]), default=None)
            if top and (newest is None or top > newest):
                newest = top
            if incremental:
                for r in page_rows:
                    if r.pop() == "true":  # IsDeleted: in the recycle bin
                        self.inc.drop(start, r[0])
                    else:
                        self.inc.merge(start, (r,))
            else:
                fresh = [r for r in page_rows if r[0] not in rows]  # one record, one audit
                rows.update((r[0], r) for r in page_rows)
                if fresh:
                    yield RecordBatch(layout, fresh, pages=1)
            progress(Progress(obj, seen if incremental else len(rows), pages, total,
                              message="changes" if incremental else ""))
        since = None
        if newest is not None:
            # min(max seen, sync start - lag): a server clock ahead of ours, a late commit or a
            # second shared with the newest record must not skip records
            since = _soql_time(min(_parse(newest), self.started - COMMIT_LAG))
        if incremental:
            cancel.check()
            self.inc.reconcile(start, lambda: self.api.count(obj), lambda: (
                i for page in self.api.ids(obj, bulk_threshold=self.sf.bulk_threshold)
                for i in page))
            yield from self.inc.replay(start, layout, pages)
            self.inc.stage(start, since or start.bookmark.since)
        else:
            self.inc.stage(start, since, rows)

    def commit(self) -> None:
        """Called after the snapshot is stored: only now do caches and bookmarks move."""
        self.inc.commit()

    def notes(self) -> list[str]:
        out = [*self.inc.notes, *self.inc.change_notes()]
        retried = f", {self.api.retries} retried" if self.api.retries else ""
        out.append(f"Salesforce requests this sync: {self.api.requests:,}{retried}")
        if self.api.token_source == "environment":
            out.append("token read from CHASER_SALESFORCE_TOKEN, not from the OS keyring")
        out.extend(self.api.notices)  # instance moved, token not stored, job left behind
        out.extend(usage_notes(self.api.usage))
        return [redact(line) for line in out]  # stored with the snapshot: never a token

    def close(self) -> None:
        self.api.close()


def connector(settings: config.Settings, *, cache_root: Path, now: datetime,
              full: bool = False) -> SalesforceConnector:
    return SalesforceConnector(settings, cache_root, now=now, full=full)


def _parse(stamp: str) -> datetime:
    """Salesforce datetimes: "2026-11-19T08:12:33.000+0000" (REST), "...Z" (Bulk, bookmarks)."""
    s = stamp.strip().replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", s):
        s = f"{s[:-2]}:{s[-2:]}"
    at = datetime.fromisoformat(s)
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC)


def _soql_time(at: datetime) -> str:
    # Salesforce keeps datetimes to the second, so nothing is lost by dropping fractions.
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
