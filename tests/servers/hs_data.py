"""The fake HubSpot's data sets (tests/hubspot_server.py): the tests' small org and its rules,
and the benchmark's large deterministic one."""

from __future__ import annotations

from datetime import timedelta

from servers.hs_base import BASE_TIME

RULES_TOML = """
[[rules]]
object = "deals"
require = ["amount", "closedate"]

[[rules]]
object = "deals"
require = ["hs_next_step"]
when = { field = "dealstage", in = ["presentationscheduled", "contractsent"] }

[[rules]]
object = "contacts"
require = ["phone", "jobtitle"]

[[rules]]
object = "companies"
require = ["industry"]
"""
# Owners as the small data set uses them: "" is no owner, "999" an owner HubSpot never listed,
# "107" a queue (an owner of type QUEUE).
OWNER_CYCLE = ("101", "102", "103", "104", "105", "106", "", "999", "107", "103")
QUEUE = "107"


def _blank(i: int, filled: str):
    """Every way HubSpot says "blank", by turns: key missing, null, "", a placeholder."""
    return {0: ..., 1: None, 2: "", 3: "n/a"}.get(i % 7, filled)


def seed(fake, deals: int = 250, contacts: int = 120, companies: int = 30) -> None:
    """The tests' small org: six owners (one archived, one known by email only) and a queue,
    records with no owner and with an owner nobody listed, and blanks of every kind."""
    fake.add_owner("101", "Ada", "Lovelace", "ada@example.com", "East")
    fake.add_owner("102", "Grace", "Hopper", "grace@example.com", "East")
    fake.add_owner("103", "Alan", "Turing", "alan@example.com", "West")
    fake.add_owner("104", "Edsger", "Dijkstra", "edsger@example.com", None)
    fake.add_owner("105", "Old", "Timer", "old@example.com", "West", archived=True)
    fake.add_owner("106", "", "", "nobody@example.com", "West")
    fake.add_queue(QUEUE, "Inbound leads")
    stages = ("appointmentscheduled", "presentationscheduled", "contractsent", "closedwon")
    for n in range(deals):
        props = {"hubspot_owner_id": OWNER_CYCLE[n % len(OWNER_CYCLE)], "dealname": f"Deal {n}",
                 "amount": _blank(n, "1000"), "closedate": _blank(n // 2, "2026-12-01"),
                 "dealstage": stages[n % 4], "hs_next_step": _blank(n // 3, "call them")}
        fake.add_record("deals", str(1000 + n), _drop(props),
                        modified=BASE_TIME + timedelta(minutes=n))
    for n in range(contacts):
        props = {"hubspot_owner_id": OWNER_CYCLE[(n + 3) % len(OWNER_CYCLE)],
                 "firstname": "" if n % 9 == 0 else f"First{n}", "lastname": f"Last{n}",
                 "email": f"c{n}@example.com", "phone": _blank(n, "555-0100"),
                 "jobtitle": _blank(n // 2, "Buyer")}
        if n % 9 == 0:
            props["lastname"] = None  # named by email only
        fake.add_record("contacts", str(5000 + n), _drop(props),
                        modified=BASE_TIME + timedelta(minutes=n))
    for n in range(companies):
        props = {"hubspot_owner_id": OWNER_CYCLE[(n + 5) % len(OWNER_CYCLE)],
                 "name": f"Company {n}", "domain": f"co{n}.example",
                 "industry": _blank(n, "SOFTWARE")}
        fake.add_record("companies", str(9000 + n), _drop(props),
                        modified=BASE_TIME + timedelta(minutes=n))


def _drop(props: dict) -> dict:
    return {k: v for k, v in props.items() if v is not ...}


def populate(fake, records: int, owners: int = 60,
             objects: tuple[str, ...] = ("deals", "contacts", "companies")) -> None:
    """Deterministic data for the benchmark: `records` split over `objects`, about a quarter
    of them with a blank required field, a few owners archived."""
    teams = ["East", "West", "North"]
    for i in range(owners):
        fake.add_owner(str(100 + i), f"Rep{i}", "Example", f"rep{i}@example.com",
                       teams[i % 3], archived=i % 20 == 19)
    for k, obj in enumerate(objects):
        for n in range(records // len(objects) + (k < records % len(objects))):
            rid = str(1000 + n)
            blank = n % 4 == 0
            props = {"hubspot_owner_id": str(100 + n % owners), "description": "x",
                     "amount": None if blank else "100", "phone": "" if blank else "555",
                     "industry": None if n % 7 == 0 else "Software",
                     "dealname": f"Deal {n}", "firstname": f"F{n}", "lastname": "L",
                     "name": f"Co {n}"}
            fake.add_record(obj, rid, props, modified=BASE_TIME + timedelta(seconds=n + k))
