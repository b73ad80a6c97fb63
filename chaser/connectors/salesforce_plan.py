"""How one Salesforce object is read: from its describe answer and the rules, the columns its
SOQL selects (checked against describe, so a typo fails before any record is read) and the
fields Salesforce itself requires."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chaser.connectors.base import ConnectorError
from chaser.model import Layout
from chaser.rules import Rule, required_fields
from chaser.secrets import redact

if TYPE_CHECKING:
    from chaser.connectors.salesforce import SalesforceSettings

FIELD = re.compile(r"[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*){0,4}")


@dataclass(slots=True)
class Plan:
    """How one object is read: its row layout and the fields its SOQL selects."""

    layout: Layout
    required: tuple[str, ...]  # what describe says the CRM itself requires


# Record dates for goals (issue 13). Object Reference for the Salesforce Platform, "System
# Fields": every object has CreatedDate, and LastModifiedDate ("the date and time when a user
# last modified this record"), while SystemModstamp also moves when "automated system
# processes" (triggers, recalculations) touch the record: SystemModstamp stays the
# incremental bookmark and the gap's age (Layout.modified), LastModifiedDate is what a
# person's update means (Layout.changed).
DATE_FIELDS = ("CreatedDate", "LastModifiedDate")


def make_plan(obj: str, describe: dict, rules: tuple[Rule, ...] | list[Rule],
              sf: SalesforceSettings, dates: bool = False) -> Plan:
    """Columns: Id, OwnerId, the name field, SystemModstamp, then every field a rule reads,
    checked against describe so a typo fails before any record is read; with `dates` (the
    object is in Settings.dates_for), CreatedDate and LastModifiedDate too."""
    raw = describe.get("fields") if isinstance(describe, dict) else None
    if not isinstance(raw, list):
        raise ConnectorError(f"{obj} describe: the answer has no list of fields")
    # A field whose name or relationship name is not text is not one we can query: skipped,
    # as a describe answer is the server's word, not ours to crash on.
    fields = [f for f in raw if isinstance(f, dict) and isinstance(f.get("name"), str)
              and f["name"] and isinstance(f.get("relationshipName") or "", str)]
    by_name = {f["name"].casefold(): f for f in fields}
    relations = {f["relationshipName"].casefold() for f in fields if f.get("relationshipName")}
    for needed in ("Id", "OwnerId", "SystemModstamp"):
        if needed.casefold() not in by_name:
            raise ConnectorError(f"{obj} describe: no {needed} field (an object without an owner, "
                                 "such as a detail object, cannot be audited per person)")
    name = next((f["name"] for f in fields if f.get("nameField")), "Id")
    required = tuple(f["name"] for f in fields
                     if f.get("createable") and not f.get("nillable")
                     and not f.get("defaultedOnCreate"))
    wanted = [*required] if sf.rules_from_describe else []
    wanted += required_fields(rules, obj)
    unknown = []
    for f in wanted:
        head = f.split(".", 1)[0].casefold()
        if not FIELD.fullmatch(f) or ("." in f and head not in relations) \
                or ("." not in f and head not in by_name):
            unknown.append(f)
    if unknown:
        # `unknown` may hold describe's own names (rules_from_describe): from a response
        raise ConnectorError(redact(
            f"{obj}: rule field(s) {', '.join(unknown)} not found on {obj}; check the spelling "
            "(API names, e.g. NextStep or Account.Name) and that the integration user can see "
            "them (field-level security)"))
    refused = compound_fields(obj, wanted, fields)
    if refused:
        raise ConnectorError(redact(refused))
    columns = tuple(dict.fromkeys(["Id", "OwnerId", name, "SystemModstamp", *wanted]))
    # A field selected twice is refused by SOQL ("duplicate field selected"), and field
    # names are case-insensitive: a rule's "createddate" is the same column.
    folded = {c.casefold(): i for i, c in enumerate(columns)}
    at: dict[str, int | None] = {}
    for f in DATE_FIELDS if dates else ():
        if f.casefold() not in by_name:  # not on this object: its goals count nothing
            at[f] = None
            continue
        if f.casefold() not in folded:
            folded[f.casefold()] = len(columns)
            columns = (*columns, f)
        at[f] = folded[f.casefold()]
    layout = Layout(object=obj, columns=columns, id=0, owner=1, name=columns.index(name),
                    modified=columns.index("SystemModstamp"),
                    url_template=f"{sf.instance_url}/{{id}}",
                    created=at.get("CreatedDate"), changed=at.get("LastModifiedDate"))
    return Plan(layout, required)


COMPOUND_TYPES = ("address", "location")


def compound_fields(obj: str, wanted: list[str], fields: list[dict]) -> str:
    """Why a rule may not name a compound field, or "" when none does. Bulk API 2.0 "doesn't
    support ... compound address fields or compound geolocation fields (instead, query the
    individual components)" ("Understanding Bulk API 2.0 Query", Bulk API 2.0 Developer
    Guide). Refused on the REST path too: which path reads an object depends on its size, and
    a rule must not start failing the day an object outgrows bulk_threshold. Describe marks
    each component with `compoundFieldName`; the message names the ones to require instead
    (for an address, the parts a person types, not the geocode ones Salesforce fills in)."""
    compounds = {f["name"].casefold(): f for f in fields
                 if str(f.get("type") or "").casefold() in COMPOUND_TYPES}
    lines = []
    for wanted_name in dict.fromkeys(f for f in wanted if "." not in f):
        compound = compounds.get(wanted_name.casefold())
        if compound is None:
            continue
        kind = str(compound["type"]).casefold()
        parts = [f for f in fields if f.get("compoundFieldName") == compound["name"]]
        typed = [f["name"] for f in parts if kind == "location"
                 or (str(f.get("type")) != "double" and not f["name"].endswith("GeocodeAccuracy"))]
        names = ", ".join(f'"{n}"' for n in typed or [f["name"] for f in parts])
        lines.append(f"{compound['name']} is a compound ({kind}) field, which Bulk API queries "
                     "cannot read; require its parts instead"
                     + (f": require = [{names}]" if names else ""))
    if not lines:
        return ""
    return (f"{obj}: " + "; ".join(lines) + " (each part is then checked on its own)")
