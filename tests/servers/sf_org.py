"""The org behind the loopback Salesforce server (tests/sf_server.py): describes, records,
tokens, injectable faults, the log of every request, and a deterministic sample org."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

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
    out = [fld("Id", "id", createable=False),
           fld("SystemModstamp", "datetime", createable=False),
           fld("IsDeleted", "boolean", createable=False)]
    if owner:
        out.append({**fld("OwnerId", "reference", rel="Owner", ref="User"),
                    "nillable": False, "defaultedOnCreate": True})
    return out


DESCRIBE_FIELDS = {
    "User": [*_common(False), fld("Name", name_field=True, createable=False), fld("Email"),
             fld("IsActive", "boolean"), fld("ManagerId", "reference", rel="Manager", ref="User"),
             fld("UserRoleId", "reference", rel="UserRole", ref="UserRole"), fld("Department"),
             fld("UserType", "picklist")],
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


def stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


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
        self.used, self.allowance = 1000, 15000
        self.log: list[dict] = []
        self.faults: list[Fault] = []
        self.cursors: dict[str, tuple] = {}
        self.jobs: dict[str, dict] = {}
        self.burst_until = 0.0  # time.monotonic() until which record reads answer 429/503
        self.burst_served = 0
        self.bulk_polls = 1  # "InProgress" answers before "JobComplete"
        self.bulk_page = 10_000  # most rows per Bulk results page
        self.clock = BASE_TIME
        self.me = {"user_id": "", "name": "Jane Admin", "email": "jane.admin@example.com"}

    def tick(self) -> str:
        self.clock += timedelta(seconds=1)
        return stamp(self.clock)

    def new_id(self, obj: str) -> str:
        return f"{PREFIX.get(obj, 'a00')}{len(self.data[obj]) + 1:015d}"

    def add(self, obj: str, **fields) -> dict:
        with self.lock:
            rec = {"Id": fields.pop("Id", None) or self.new_id(obj), "IsDeleted": False,
                   "SystemModstamp": self.tick(), **fields}
            self.data[obj][rec["Id"]] = rec
            return rec

    def change(self, obj: str, rec_id: str, **fields) -> None:
        with self.lock:
            self.data[obj][rec_id].update(fields, SystemModstamp=self.tick())

    def delete(self, obj: str, rec_id: str) -> None:
        with self.lock:
            self.data[obj][rec_id].update(IsDeleted=True, SystemModstamp=self.tick())

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
                                Department=team, UserType="Standard"))
    reps = []
    for i in range(9):
        team = TEAMS[i % 3]
        mgr = managers[i % 3]
        reps.append(org.add("User", Name=f"Rep {i:02d}", Email=f"rep{i}@example.com",
                            IsActive=i != 8, ManagerId=mgr["Id"], Manager={"Name": mgr["Name"]},
                            UserRole={"Name": f"{team} Sales"} if i != 7 else None,
                            Department=team, UserType="Standard"))
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
                                Phone=maybe(f"+1 555 {i:04d}"), Website=maybe(f"a{i}.example")))
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
    return org
