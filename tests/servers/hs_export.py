"""The fake HubSpot's data (tests/hubspot_server.py) as the CSV exports an admin would download,
plus a people file and a chaser.toml importing them with the same rules: the ground truth that
`chaser sync` against the fake must match, figure for figure."""

from __future__ import annotations

import csv
from pathlib import Path

from chaser.connectors import hubspot
from chaser.connectors.hubspot_api import NAME_PARTS, record_name

# The properties the sample rules (hubspot_server.RULES_TOML) read, per object.
PROPERTIES = {"deals": ["amount", "closedate", "dealstage", "hs_next_step"],
              "contacts": ["phone", "jobtitle"], "companies": ["industry"]}


def _cell(v) -> str:
    return "" if v is None else str(v)


def export_csv(fake, folder: Path, rules_text: str | None = None) -> Path:
    """Write owners.csv, one CSV per object and chaser.toml (the same rules) into `folder`; return
    the config's path."""
    if rules_text is None:
        from hubspot_server import RULES_TOML as rules_text
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "owners.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Owner ID", "Name", "Team", "Email", "Active", "Type", "Created"])
        for o in fake.owners:
            name = f"{o['firstName']} {o['lastName']}".strip() or o.get("email") or ""
            team = o["teams"][0]["name"] if o["teams"] else ""
            w.writerow([o["id"], name, team, o.get("email") or "",
                        "no" if o["archived"] else "yes", o.get("type", "PERSON"),
                        o.get("createdAt") or ""])
    # A queue is no person: the export's people file leaves it out the way an admin would
    # (exclude), so its records land in the queue bucket on both paths.
    text = ['[source]\nkind = "csv"\n\n[source.csv.people]\npath = "owners.csv"\n'
            'key = "Owner ID"\nname = "Name"\nteam = "Team"\nemail = "Email"\n'
            'active = "Active"\nexclude = { Type = ["QUEUE"] }\nstarted = "Created"\n']
    with fake.lock:
        for obj, fields in PROPERTIES.items():
            if obj not in fake.records:
                continue
            modified = hubspot.modified_property(obj)
            with open(folder / f"{obj}.csv", "w", newline="", encoding="utf-8") as f:
                w = csv.writer(f)
                w.writerow(["Record ID", "Owner", "Name", modified, "createdate", *fields])
                for rid in sorted(fake.records[obj], key=int):
                    rec = fake.records[obj][rid]
                    if rec["archived"]:
                        continue
                    p = rec["properties"]
                    name = record_name(p, NAME_PARTS[obj])
                    w.writerow([rid, _cell(p.get("hubspot_owner_id")), _cell(name),
                                p[modified], _cell(p.get("createdate")),
                                *(_cell(p.get(k)) for k in fields)])
            text.append(f'[[source.csv.objects]]\nobject = "{obj}"\npath = "{obj}.csv"\n'
                        f'id = "Record ID"\nowner = "Owner"\nname = "Name"\n'
                        f'modified = "{modified}"\ncreated = "createdate"\n')
    path = folder / "chaser.toml"
    path.write_text("\n".join(text) + rules_text, encoding="utf-8")
    return path
