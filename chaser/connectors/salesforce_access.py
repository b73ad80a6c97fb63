"""Who may edit which rule field, from Salesforce field-level security: for every person and
every field a rule requires, FieldPermissions joined with PermissionSetAssignment. A blank in
a field its owner may not edit is then not blamed on the owner (chaser.access).

From the Object Reference for the Salesforce Platform
(https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/):
- FieldPermissions (sforce_api_objects_fieldpermissions.htm) "represents the enabled field
  permissions for the parent PermissionSet": ParentId (the PermissionSet), SobjectType, Field
  (the API name "prefixed with the SobjectType", e.g. Account.Industry), PermissionsRead and
  PermissionsEdit. "A FieldPermissions record must have at minimum PermissionsRead set to
  true, or it will be deleted": no row means no access at all. Only users with "View Setup
  and Configuration" may read it (API 49.0 and later).
- PermissionSetAssignment (sforce_api_objects_permissionsetassignment.htm) "represents a
  user's assignment to a permission set or permission set group": AssigneeId (the User) and
  PermissionSetId.
- PermissionSet (sforce_api_objects_permissionset.htm): IsOwnedByProfile, "the permission set
  is owned by a profile". A profile's field permissions are the rows of its own permission
  set, which is assigned to its users like any other, so one join covers profiles and
  permission sets alike; a group's permission set "contains the aggregated permissions for the
  group". A person may edit a field when any permission set assigned to them grants it.
- Fields the schema requires (describe: createable, not nillable, not defaultedOnCreate) are
  always editable and have no rows (DESIGN.md section 5).

Cost: one FieldPermissions query for the rule fields (more only past 200 fields) and one
PermissionSetAssignment query per 200 active people; every one goes through `api.rows`, so the
sync's request count includes them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from chaser.connectors.base import AuthError, ConnectorError, LimitError
from chaser.model import Person
from chaser.rules import Rule, required_fields

CHUNK = 200  # values per IN list: ~4 kB of SOQL, far below Salesforce's query length limits
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,79}")  # an object or field API name: safe in SOQL
_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")


@dataclass(frozen=True, slots=True)
class Access:
    cannot_edit: dict[str, tuple[str, ...]]  # person key -> "Object.Field" they may not edit
    notes: tuple[str, ...] = ()  # what the sync should say about it


def rule_fields(rules: Iterable[Rule], objects: Iterable[str]) -> dict[str, list[str]]:
    """Per object, the fields the rules require there. Relationship paths ("Account.Name" on
    an Opportunity) are left out: that is a field of another record, not one the owner fills
    on this one."""
    rules = list(rules)
    return {obj: [f for f in required_fields(rules, obj) if "." not in f] for obj in objects}


def _quoted(values: Sequence[str]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(values), CHUNK):
        yield values[i:i + CHUNK]


def _field_rows(api, names: dict[str, str]) -> tuple[set[str], dict[str, set[str]]]:
    """(fields with any row, permission set ids that may edit each field), by folded name."""
    governed: set[str] = set()
    editors: dict[str, set[str]] = {}
    cols = ["ParentId", "SobjectType", "Field", "PermissionsEdit"]
    wanted = sorted(names.values())
    objects = sorted({n.split(".", 1)[0] for n in wanted})
    for part in _chunks(wanted):
        soql = (f"SELECT {', '.join(cols)} FROM FieldPermissions WHERE SobjectType IN "
                f"{_quoted(objects)} AND Field IN {_quoted(part)}")
        for rows, _, _ in api.rows(soql, "FieldPermissions", cols):
            for parent, _obj, fld, edit in rows:
                key = (fld or "").casefold()
                governed.add(key)
                if edit == "true" and parent:
                    editors.setdefault(key, set()).add(parent)
    return governed, editors


def _assignments(api, keys: Sequence[str]) -> dict[str, set[str]]:
    """Person key -> the ids of every permission set assigned to them (their profile's too)."""
    out: dict[str, set[str]] = {}
    cols = ["AssigneeId", "PermissionSetId"]
    for part in _chunks(keys):
        soql = (f"SELECT {', '.join(cols)} FROM PermissionSetAssignment "
                f"WHERE AssigneeId IN {_quoted(part)}")
        for rows, _, _ in api.rows(soql, "PermissionSetAssignment", cols):
            for who, ps in rows:
                if who and ps:
                    out.setdefault(who, set()).add(ps)
    return out


def field_access(api, people: Iterable[Person], fields: Mapping[str, Iterable[str]]) -> Access:
    """Which rule fields each active person may not edit. `api` is a signed-in SalesforceApi;
    `fields` the rule fields per object (`rule_fields`). When the integration user may not
    read the permission objects, nobody is excused and a note says why: the figures are then
    what they were before this check existed."""
    names = {f"{o}.{f}".casefold(): f"{o}.{f}" for o, fs in fields.items() if _NAME.fullmatch(o)
             for f in fs if _NAME.fullmatch(f)}
    active = [p for p in people if p.active and _ID.fullmatch(p.key)]
    if not names or not active:
        return Access({})
    try:
        governed, editors = _field_rows(api, names)
        # A rule field with no row in any permission set is one field-level security does
        # not govern (required by the schema, or a system field): everyone who may edit the
        # record may edit it. Without rows anywhere it is editable, so no assignment is read.
        sets = _assignments(api, [p.key for p in active]) if governed else {}
    except (AuthError, LimitError):
        raise  # the sync cannot go on either way: stop with the real reason
    except ConnectorError as e:
        return Access({}, (f"field permissions not read ({e}); the integration user needs "
                           "\"View Setup and Configuration\". Every owner is taken to be able "
                           "to edit every rule field.",))
    out: dict[str, tuple[str, ...]] = {}
    unseen = 0
    for p in active:
        mine = sets.get(p.key)
        if governed and not mine:
            # Every user has at least their profile's permission set: none seen means the
            # integration user cannot see this user's assignments, not that they have none.
            unseen += 1
            continue
        blocked = sorted((names[f] for f in governed if f in names
                          and not editors.get(f, set()) & mine), key=str.casefold)
        if blocked:
            out[p.key] = tuple(blocked)
    notes = []
    if out:
        count: dict[str, int] = {}
        for blocked in out.values():
            for name in blocked:
                count[name] = count.get(name, 0) + 1
        shown = ", ".join(f"{n} ({k} {'person' if k == 1 else 'people'})"
                          for n, k in sorted(count.items(), key=lambda kv: (-kv[1], kv[0])))
        notes.append(f"field permissions: {len(out)} {'person' if len(out) == 1 else 'people'} "
                     f"may not edit some rule fields ({shown}); their blanks there are counted "
                     "in the cannot-edit bucket, not against them")
    if unseen:
        notes.append(f"field permissions: no permission set assignment seen for {unseen} "
                     "active users; they are taken to be able to edit every rule field")
    return Access(out, tuple(notes))
