"""The loopback Salesforce server's sample rules and its org as CSV report exports: the ground
truth the Salesforce path must match (tests/test_salesforce_sync.py), and what
`python -m tests.servers salesforce --export-csv DIR` writes."""

from __future__ import annotations

import csv
from pathlib import Path

from servers.sf_org import Org
from servers.sf_soql import _get, csv_cell

RULES = """
[[rules]]
object = "Opportunity"
require = ["Amount", "NextStep", "Account.Name"]

[[rules]]
object = "Opportunity"
require = ["CloseDate"]
when = { field = "StageName", in = ["Negotiation", "Closed Won"] }

[[rules]]
object = "Account"
require = ["Industry", "Phone"]

[[rules]]
object = "Contact"
require = ["Email", "Title", "Account.Name"]

[[rules]]
object = "Lead"
require = ["Email", "Phone", "LeadSource"]
"""


# What `rules_from_describe = true` adds for the sample org (the fields its describe marks
# createable, not nillable, not defaulted): a CSV import needs them spelled out.
DESCRIBE_RULES = """
[[rules]]
object = "Opportunity"
require = ["Name", "StageName", "CloseDate"]

[[rules]]
object = "Account"
require = ["Name"]

[[rules]]
object = "Contact"
require = ["LastName"]

[[rules]]
object = "Lead"
require = ["LastName", "Company"]
"""



def export_csv(org: Org, folder: Path, rules_text: str = "") -> Path:
    """The same org as CSV report exports (one file per object + a people file) and a
    chaser.toml reading them: the ground truth the Salesforce path must match."""
    folder.mkdir(parents=True, exist_ok=True)
    columns = {"Opportunity": ["Id", "OwnerId", "Name", "StageName", "CloseDate", "Amount",
                               "NextStep", "Account.Name"],
               "Account": ["Id", "OwnerId", "Name", "Industry", "Phone"],
               "Contact": ["Id", "OwnerId", "Name", "LastName", "Email", "Title", "Account.Name"],
               "Lead": ["Id", "OwnerId", "Name", "LastName", "Company", "Email", "Phone",
                        "LeadSource"]}
    lines = ["[source]", 'kind = "csv"', ""]
    # The record dates goals count (issue 13), as a Data Export writes them.
    columns = {obj: [*cols, "CreatedDate", "LastModifiedDate"] for obj, cols in columns.items()}
    for obj, cols in columns.items():
        with open(folder / f"{obj}.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(cols)
            w.writerows([csv_cell(_get(r, c)) for c in cols]
                        for r in org.data[obj].values() if not r["IsDeleted"])
        lines += ["[[source.csv.objects]]", f'object = "{obj}"', f'path = "{obj}.csv"',
                  'id = "Id"', 'owner = "OwnerId"', 'name = "Name"',
                  'created = "CreatedDate"', 'modified = "LastModifiedDate"', ""]
    with open(folder / "people.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Id", "Name", "Email", "Team", "Manager", "Active", "Created",
                    "Last Login"])
        for u in org.data["User"].values():
            if u.get("UserType") == "Standard":
                w.writerow([u["Id"], u["Name"], u["Email"] or "",
                            _get(u, "UserRole.Name") or "", _get(u, "Manager.Name") or "",
                            "true" if u["IsActive"] else "false", u.get("CreatedDate") or "",
                            u.get("LastLoginDate") or ""])
    lines += ["[source.csv.people]", 'path = "people.csv"', 'key = "Id"', 'name = "Name"',
              'email = "Email"', 'team = "Team"', 'manager = "Manager"', 'active = "Active"',
              'started = "Created"', 'last_login = "Last Login"', ""]
    path = folder / "chaser.toml"
    path.write_text("\n".join(lines) + rules_text, encoding="utf-8")
    return path
