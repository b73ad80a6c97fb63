"""The org behind the loopback Salesforce server (tests/sf_server.py): describes, records,
tokens, injectable faults, the log of every request, and a deterministic sample org."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from servers.sf_perms import PERM_FIELDS

VERSION = "62.0"
TOKEN = "00Dtest!AQ-initial-access-token-7f3a9c"
REFRESH = "5Aep-refresh-token-cafe1234"
CLIENT_ID = "3MVG-client-id"
CLIENT_SECRET = "client-secret-beef5678"
BASE_TIME = datetime(2026, 11, 10, tzinfo=UTC)
PREFIX = {"User": "005", "Group": "00G", "Opportunity": "006", "Account": "001",
          "Contact": "003", "Lead": "00Q", "UserRole": "00E"}



def fld(name, type_="string", required=False, name_field=False, rel=None, ref=None,
        createable=True):
    return {"name": name, "type": type_, "createable": createable, "nillable": not required,
            "defaultedOnCreate": False, "nameField": name_field, "relationshipName": rel,
            "referenceTo": [ref] if ref else []}


def _common(owner=True):
    # CreatedDate and LastModifiedDate are system fields of every object (Object Reference
    # for the Salesforce Platform, "System Fields"): read-only, never null.
    out = [fld("Id", "id", createable=False),
           fld("SystemModstamp", "datetime", createable=False),
           fld("IsDeleted", "boolean", createable=False),
           fld("CreatedDate", "datetime", createable=False),
           fld("LastModifiedDate", "datetime", createable=False)]
    if owner:
        out.append({**fld("OwnerId", "reference", rel="Owner", ref="User"),
                    "nillable": False, "defaultedOnCreate": True})
    return out


DESCRIBE_FIELDS = {
    "User": [*_common(False), fld("Name", name_field=True, createable=False), fld("Email"),
             fld("IsActive", "boolean"), fld("ManagerId", "reference", rel="Manager", ref="User"),
             fld("UserRoleId", "reference", rel="UserRole", ref="UserRole"), fld("Department"),
             fld("UserType", "picklist"),
             # Object Reference, "User": LastLoginDate is a read-only, nillable dateTime
             # (null until the user first logs in).
             fld("LastLoginDate", "datetime", createable=False)],
    "Group": [*_common(False), fld("Name", name_field=True), fld("Type", "picklist")],
    "Opportunity": [*_common(), fld("Name", required=True, name_field=True),
                    fld("StageName", "picklist", required=True),
                    fld("CloseDate", "date", required=True), fld("Amount", "currency"),
                    fld("NextStep"), fld("AccountId", "reference", rel="Account", ref="Account")],
    "Account": [*_common(), fld("Name", required=True, name_field=True), fld("Industry"),
                fld("Phone"), fld("Website")],
    "Contact": [*_common(), fld("Name", name_field=True, createable=False),
                fld("LastName", required=True), fld("FirstName"), fld("Email"), fld("Phone"),
                fld("Title"), fld("AccountId", "reference", rel="Account", ref="Account")],
    "Lead": [*_common(), fld("Name", name_field=True, createable=False),
             fld("LastName", required=True), fld("Company", required=True), fld("Email"),
             fld("Phone"), fld("Status", "picklist"), fld("LeadSource", "picklist")],
}


def _compound(name: str, type_: str, parts: dict[str, str]) -> list[dict]:
    """A compound field and its components as describe shows them (the shared fixtures' real
    describes): the compound is read-only (createable false) and each component names it in
    `compoundFieldName`. `parts` maps component field name -> its key in the REST value."""
    out = [{**fld(p, "double" if k in ("latitude", "longitude") else "string"),
            "compoundFieldName": name, "_key": k} for p, k in parts.items()]
    return [*out, fld(name, type_, createable=False)]


def _address(prefix: str) -> list[dict]:
    keys = ("street", "city", "state", "postalCode", "country", "latitude", "longitude")
    return _compound(f"{prefix}Address", "address",
                     {f"{prefix}{k[0].upper()}{k[1:]}": k for k in keys})


# Address compounds as the real describes have them (Account BillingAddress, Contact
# MailingAddress, Lead Address), and one custom geolocation (type "location", components
# <name>__Latitude__s / __Longitude__s: SOAP API Developer Guide, "Compound Fields").
DESCRIBE_FIELDS["Account"] += [*_address("Billing"), *_compound(
    "Location__c", "location", {"Location__Latitude__s": "latitude",
                                "Location__Longitude__s": "longitude"})]
DESCRIBE_FIELDS["Contact"] += _address("Mailing")
DESCRIBE_FIELDS["Lead"] += _address("")
# object -> compound field -> [(component, key in the REST value)]
COMPOUNDS: dict[str, dict[str, list[tuple[str, str]]]] = {}
for _obj, _fields in DESCRIBE_FIELDS.items():
    for _f in _fields:
        if _f.get("compoundFieldName"):
            COMPOUNDS.setdefault(_obj, {}).setdefault(_f["compoundFieldName"], []).append(
                (_f["name"], _f.pop("_key")))
DESCRIBE_FIELDS.update(PERM_FIELDS)  # field-level security objects: servers/sf_perms.py


def stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def parse_stamp(text: str) -> datetime:
    """"2026-11-10T00:00:01.000+0000" (the REST form `stamp` writes) -> an aware datetime."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")


@dataclass
class Fault:
    """Answer the `skip`+1st .. `skip`+`times`th request of `kind` (and object) with `action`:
    an HTTP status with Salesforce's error body, or "drop" (half the body, then hang up)."""

    kind: str
    action: int | str
    times: int = 1
    skip: int = 0
    object: str | None = None
    code: str | None = None
    message: str | None = None  # the error body's message (default: ERROR_MESSAGES or "injected")
    retry_after: str | None = None
    # Adversarial, not vendor behaviour: echo the caller's secret, spelled as `echo` (a form of
    # servers/echo.py), in `field`: "code" (errorCode), "message", "next" (a 200 page whose
    # nextRecordsUrl carries ?access_token=...), "bulk" (a Failed job's errorMessage).
    echo: str | None = None
    field: str = "message"
    seen: int = 0


ERROR_CODES = {400: "MALFORMED_QUERY", 401: "INVALID_SESSION_ID", 403: "REQUEST_LIMIT_EXCEEDED",
               404: "NOT_FOUND", 429: "REQUEST_LIMIT_EXCEEDED", 500: "UNKNOWN_EXCEPTION",
               503: "SERVER_UNAVAILABLE"}
# REQUEST_LIMIT_EXCEEDED means two things ("API Request Limits and Allocations", Salesforce
# Developer Limits and Allocations Quick Reference): the org's rolling 24-hour total, and more
# than 25 (5 in Developer Edition) concurrent requests running 20 s or longer. The messages are
# the ones Salesforce sends for each (SOAP faultstring "REQUEST_LIMIT_EXCEEDED: <message>").
DAILY_LIMIT = "TotalRequests Limit exceeded."
CONCURRENT_LIMIT = "ConcurrentRequests (Concurrent API Requests) Limit exceeded."
ERROR_MESSAGES = {"REQUEST_LIMIT_EXCEEDED": DAILY_LIMIT}


def concurrent_limit(kind: str = "records", times: int = 1, obj: str | None = None) -> Fault:
    """The next `times` requests of `kind` meet the concurrent long-request limit."""
    return Fault(kind, 403, times=times, object=obj, code="REQUEST_LIMIT_EXCEEDED",
                 message=CONCURRENT_LIMIT)


class Org:
    """The org's data and the server's memory of what was asked."""

    def __init__(self, seed: int = 7) -> None:
        self.lock = threading.RLock()
        self.rng = random.Random(seed)
        self.data: dict[str, dict[str, dict]] = {o: {} for o in DESCRIBE_FIELDS}
        self.describes = {o: {"name": o, "fields": [dict(x) for x in f], "queryable": True}
                          for o, f in DESCRIBE_FIELDS.items()}
        self.unqueryable: set[str] = set()  # "Object.Field" the query side rejects
        self.tokens = {TOKEN}
        # Refresh-token rotation, off by default as in a connected app ("OAuth 2.0 Refresh Token
        # Flow for Renewed Sessions", Salesforce Help): when on, each refresh returns a new
        # refresh_token and the one presented stops working.
        self.rotate_refresh = False
        self.refresh_tokens = {REFRESH}
        self.issued: list[str] = []  # every refresh token handed out, for secret scans
        self.instance_url: str | None = None  # what the token endpoint names; None: this server
        self.used, self.allowance = 1000, 15000
        self.log: list[dict] = []
        self.faults: list[Fault] = []
        self.cursors: dict[str, tuple] = {}
        self.jobs: dict[str, dict] = {}  # Bulk query jobs not yet deleted
        self.jobs_made = 0
        self._ids: dict[str, int] = {}
        self.burst_until = 0.0  # time.monotonic() until which record reads answer 429/503
        self.burst_served = 0
        self.bulk_polls = 1  # "InProgress" answers before "JobComplete"
        self.bulk_page = 10_000  # most rows per Bulk results page
        self.bulk_fail: str | None = None  # jobs end "Failed" with this errorMessage
        self.clock = BASE_TIME
        self.me = {"user_id": "", "name": "Jane Admin", "email": "jane.admin@example.com"}

    def tick(self) -> str:
        self.clock += timedelta(seconds=1)
        return stamp(self.clock)

    def new_id(self, obj: str) -> str:
        # a counter, not the table size: a hard-deleted row's id is never handed out again
        n = self._ids[obj] = self._ids.get(obj, 0) + 1
        return f"{PREFIX.get(obj, 'a00')}{n:015d}"

    def add(self, obj: str, **fields) -> dict:
        with self.lock:
            now = self.tick()
            rec = {"Id": fields.pop("Id", None) or self.new_id(obj), "IsDeleted": False,
                   "SystemModstamp": now, "CreatedDate": now, "LastModifiedDate": now,
                   **fields}
            self.data[obj][rec["Id"]] = rec
            return rec

    def change(self, obj: str, rec_id: str, **fields) -> None:
        with self.lock:
            now = self.tick()
            self.data[obj][rec_id].update(fields, SystemModstamp=now, LastModifiedDate=now)

    def delete(self, obj: str, rec_id: str) -> None:
        """Soft delete: the row goes to the recycle bin; query hides it, queryAll shows it with
        IsDeleted = true (SOAP API Developer Guide, queryAll())."""
        with self.lock:
            self.data[obj][rec_id].update(IsDeleted=True, SystemModstamp=self.tick())

    # -- the recycle bin and other ways rows go (emptyRecycleBin(), SOAP API Developer Guide:
    # 15 days in the bin; a full bin loses its oldest rows once they are 2 hours in it; rows
    # emptied from the bin stay visible to queryAll "typically 24 hours"; Bulk API hardDelete
    # skips the bin) ---------------------------------------------------------------------
    def binned(self, obj: str) -> list[str]:
        """Ids in `obj`'s recycle bin, oldest deletion first."""
        with self.lock:
            rows = [r for r in self.data[obj].values() if r.get("IsDeleted")]
            return [r["Id"] for r in sorted(rows, key=lambda r: r["SystemModstamp"])]

    def purge(self, obj: str | None = None, count: int | None = None) -> int:
        """The bin loses its `count` oldest rows (None: all of them, as an emptied bin looks
        once its ~24 hours of queryAll visibility are over), in `obj` or every object. The rows
        vanish from queryAll too. Returns how many went."""
        gone = 0
        with self.lock:
            for o in [obj] if obj else list(self.data):
                for rec_id in self.binned(o)[:None if count is None else max(0, count - gone)]:
                    del self.data[o][rec_id]
                    gone += 1
        return gone

    def hard_delete(self, obj: str, ids: list[str] | None = None, count: int = 1) -> list[str]:
        """Rows that vanish from query and queryAll at once, bin skipped: `ids`, or the first
        `count` live rows. Returns the ids."""
        with self.lock:
            if ids is None:
                ids = [i for i, r in self.data[obj].items() if not r.get("IsDeleted")][:count]
            for rec_id in ids:
                self.data[obj].pop(rec_id, None)
        return list(ids)

    def age(self, obj: str, days: float, now: datetime | None = None) -> str:
        """Shift every row of `obj` back in time, spacing kept, so its newest SystemModstamp
        is `days` before `now` (default: the org's clock or the real time, whichever is
        later, as /_test/change stamps). Returns the newest stamp."""
        with self.lock:
            rows = list(self.data[obj].values())
            if not rows:
                return ""
            now = now or max(datetime.now(UTC).replace(microsecond=0), self.clock)
            newest = max(parse_stamp(r["SystemModstamp"]) for r in rows)
            shift = now - timedelta(days=days) - newest
            for r in rows:
                for f in ("SystemModstamp", "LastModifiedDate", "CreatedDate"):
                    if r.get(f):
                        r[f] = stamp(parse_stamp(r[f]) + shift)
            return stamp(newest + shift)

    def spend_allowance(self) -> None:
        """The rolling 24-hour total is used up: every API call answers 403
        REQUEST_LIMIT_EXCEEDED "TotalRequests Limit exceeded." until `used` drops."""
        with self.lock:
            self.used = self.allowance

    # -- what was asked ------------------------------------------------------------------
    def count(self, kind: str | tuple[str, ...], obj: str | None = None, ok_only=True) -> int:
        kinds = (kind,) if isinstance(kind, str) else kind
        return sum(1 for e in self.log if e["kind"] in kinds and (obj is None or e["object"] == obj)
                   and (not ok_only or e["status"] < 300))

    def record_queries(self, obj: str) -> int:
        return self.count(("query", "query-more"), obj)

    def fault(self, kind: str, obj: str | None) -> Fault | None:
        with self.lock:
            if kind in ("query", "query-more") and time.monotonic() < self.burst_until:
                self.burst_served += 1  # an outage: 429, 503, 429, ... until it ends
                return Fault("records", 429 if self.burst_served % 2 else 503)
            for f in self.faults:
                # kind "records" stands for both record reads: the first page and the next ones
                if (f.kind == kind or (f.kind == "records" and kind in ("query", "query-more"))) \
                        and (f.object is None or f.object == obj) \
                        and f.seen < f.skip + f.times:
                    f.seen += 1
                    if f.seen > f.skip:
                        return f
        return None


# ---- a sample org --------------------------------------------------------------------------

TEAMS = ("East", "West", "Central")


def make_org(counts: dict[str, int] | int = 50, seed: int = 7) -> Org:
    """Users in three teams (one inactive, one automated user), a lead queue, and records with
    blanks, placeholders and null relationships, all deterministic for `seed`."""
    org = Org(seed)
    rng = org.rng
    if isinstance(counts, int):
        counts = {o: counts for o in ("Opportunity", "Account", "Contact", "Lead")}
    managers = []
    for i, team in enumerate(TEAMS):
        managers.append(org.add("User", Name=f"Manager {team}", Email=f"mgr{i}@example.com",
                                IsActive=True, Manager=None, UserRole={"Name": f"{team} Manager"},
                                Department=team, UserType="Standard",
                                CreatedDate=stamp(datetime(2024, 1, 8 + i, 9, tzinfo=UTC)),
                                LastLoginDate=stamp(BASE_TIME - timedelta(hours=3 + i))))
    reps = []
    for i in range(9):
        team = TEAMS[i % 3]
        mgr = managers[i % 3]
        reps.append(org.add("User", Name=f"Rep {i:02d}", Email=f"rep{i}@example.com",
                            IsActive=i != 8, ManagerId=mgr["Id"], Manager={"Name": mgr["Name"]},
                            UserRole={"Name": f"{team} Sales"} if i != 7 else None,
                            Department=team, UserType="Standard",
                            CreatedDate=stamp(USER_STARTED[i]), LastLoginDate=(
                                None if USER_LOGIN[i] is None else stamp(USER_LOGIN[i]))))
    org.add("User", Name="Automated Process", Email=None, IsActive=True, Manager=None,
            UserRole=None, Department=None, UserType="AutomatedProcess")
    org.me["user_id"] = managers[0]["Id"]
    queue = org.add("Group", Name="Lead Inbox", Type="Queue")
    org.add("Group", Name="All Sales", Type="Regular")
    owners = [*reps, *reps, managers[0]]

    def maybe(value, p_blank=0.2):
        r = rng.random()
        if r < p_blank:
            return None
        if r < p_blank + 0.03:
            return "TBD"
        return value

    accounts = []
    for i in range(counts.get("Account", 0)):
        o = rng.choice(owners)
        accounts.append(org.add("Account", OwnerId=o["Id"], Owner={"Name": o["Name"]},
                                Name=f"Account {i}", Industry=maybe("Tech"),
                                Phone=maybe(f"+1 555 {i:04d}"), Website=maybe(f"a{i}.example"),
                                # no draw from rng: the sample's blanks stay as they were
                                BillingStreet=f"{i} Main St" if i % 4 else None,
                                BillingCity=CITIES[i % 3] if i % 4 else None,
                                BillingCountry="Norway" if i % 4 else None))
    for i in range(counts.get("Opportunity", 0)):
        o = rng.choice(owners)
        acct = rng.choice(accounts) if accounts and rng.random() > 0.1 else None
        org.add("Opportunity", OwnerId=o["Id"], Owner={"Name": o["Name"]}, Name=f"Deal {i}",
                StageName=rng.choice(["Prospecting", "Closed Won", "Negotiation"]),
                CloseDate=maybe("2026-12-01", 0.05), Amount=maybe(1000.0 + i),
                NextStep=maybe("Call back"), AccountId=acct["Id"] if acct else None,
                Account={"Name": acct["Name"]} if acct else None)
    for i in range(counts.get("Contact", 0)):
        o = rng.choice(owners)
        acct = rng.choice(accounts) if accounts and rng.random() > 0.1 else None
        org.add("Contact", OwnerId=o["Id"], Owner={"Name": o["Name"]}, Name=f"Pat Smith{i}",
                LastName=f"Smith{i}", FirstName="Pat", Email=maybe(f"c{i}@example.com"),
                Phone=maybe("+1 555 0000"), Title=maybe("VP"),
                AccountId=acct["Id"] if acct else None,
                Account={"Name": acct["Name"]} if acct else None)
    for i in range(counts.get("Lead", 0)):
        o = queue if rng.random() < 0.1 else rng.choice(owners)
        org.add("Lead", OwnerId=o["Id"], Owner={"Name": o["Name"]}, Name=f"Lee Jones{i}",
                LastName=f"Jones{i}", Company=maybe(f"Co {i}", 0.05),
                Email=maybe(f"l{i}@example.com"), Phone=maybe("+1 555 1111"),
                Status="Open", LeadSource=maybe("Web"))
    spread_stamps(org)
    return org


CITIES = ("Oslo", "Bergen", "Tromsø")
# When the sample's reps started and last logged in (User.CreatedDate / LastLoginDate): Rep
# 05 never logged in (null), Rep 03 not for 45 days, Rep 06 started 10 days ago.
USER_STARTED = [BASE_TIME - timedelta(days=400 - 30 * i, hours=i) for i in range(9)]
USER_STARTED[6] = BASE_TIME - timedelta(days=10, hours=-9, minutes=-30)
USER_LOGIN: list[datetime | None] = [BASE_TIME - timedelta(days=1, minutes=7 * i)
                                     for i in range(9)]
USER_LOGIN[3] = BASE_TIME - timedelta(days=45)
USER_LOGIN[5] = None
HISTORY = timedelta(days=540)  # how far back the sample's records were last modified


def spread_stamps(org: Org, span: timedelta = HISTORY) -> None:
    """Real rows were last touched over months, not all in one minute: each object's rows are
    spread evenly over `span` before its newest one, which keeps its stamp (so bookmarks and
    changes behave as before) and the order of creation is kept."""
    with org.lock:
        for obj in ("Opportunity", "Account", "Contact", "Lead"):
            rows = list(org.data[obj].values())
            if not rows:
                continue
            newest, step = parse_stamp(rows[-1]["SystemModstamp"]), span / len(rows)
            for k, r in enumerate(rows):  # one strftime a row: 100,000-row orgs stay quick
                at = newest - step * (len(rows) - 1 - k)
                r["SystemModstamp"] = r["LastModifiedDate"] = stamp(at)
                # created some days before the last change, without a draw from rng
                r["CreatedDate"] = stamp(at - timedelta(days=k % 30, hours=k % 7))
