"""Field-level security for the loopback Salesforce server: the PermissionSet,
PermissionSetAssignment and FieldPermissions objects chaser reads to tell who may edit which
rule field, shaped as the Object Reference describes them (see
chaser/connectors/salesforce_access.py): a profile is a permission set with IsOwnedByProfile =
true, assigned to its users like any other; a FieldPermissions row exists only where a
permission set may at least read the field; fields the schema requires have no rows.

An org starts with none of these rows, which chaser reads as "field-level security governs no
rule field": everyone may edit everything, as before this existed. `seed(org)` gives it the
usual shape of an org (every user on a profile that may edit every field that has
permissions), with some users on a read-only profile for named fields. The SOQL side needs
nothing special: the objects are ordinary describes (sf_org.DESCRIBE_FIELDS takes PERM_FIELDS).
"""

from __future__ import annotations

RECORD_OBJECTS = ("Opportunity", "Account", "Contact", "Lead")
PREFIX = {"PermissionSet": "0PS", "PermissionSetAssignment": "0Pa", "FieldPermissions": "01k"}


def _f(name, type_="string", rel=None, ref=None, createable=True):
    # The shape of sf_org.fld, kept here so sf_org can import this module at its top.
    return {"name": name, "type": type_, "createable": createable, "nillable": True,
            "defaultedOnCreate": False, "nameField": name == "Name", "relationshipName": rel,
            "referenceTo": [ref] if ref else []}


_SYSTEM = [_f("Id", "id", createable=False), _f("SystemModstamp", "datetime", createable=False),
           _f("IsDeleted", "boolean", createable=False)]
PERM_FIELDS = {
    "PermissionSet": [*_SYSTEM, _f("Name"), _f("Label"),
                      _f("IsOwnedByProfile", "boolean", createable=False),
                      _f("ProfileId", "reference", rel="Profile", ref="Profile", createable=False)],
    "PermissionSetAssignment": [
        *_SYSTEM, _f("AssigneeId", "reference", rel="Assignee", ref="User"),
        _f("PermissionSetId", "reference", rel="PermissionSet", ref="PermissionSet"),
        _f("PermissionSetGroupId", "reference", rel="PermissionSetGroup",
           ref="PermissionSetGroup")],
    "FieldPermissions": [
        *_SYSTEM, _f("ParentId", "reference", rel="Parent", ref="PermissionSet"),
        _f("SobjectType", "picklist"), _f("Field", "picklist"),
        _f("PermissionsRead", "boolean"), _f("PermissionsEdit", "boolean")],
}


def _add(org, obj: str, **fields) -> dict:
    # The next number after the highest: a removed assignment's id is never handed out again.
    n = max((int(i[3:]) for i in org.data[obj]), default=0) + 1
    return org.add(obj, Id=f"{PREFIX[obj]}{n:015d}", **fields)


def permissionable(org) -> list[str]:
    """"Object.Field" of every field that has field permissions: createable and not required
    by the schema (those are always editable and have no rows)."""
    return [f"{obj}.{f['name']}" for obj in RECORD_OBJECTS for f in org.describes[obj]["fields"]
            if f.get("createable") and f.get("nillable", True)]


def permission_set(org, name: str, *, profile: bool = False, edit=(), read=()) -> str:
    """A permission set (a profile's own when `profile`) that may edit the `edit` fields
    ("Object.Field"; "*" = every permissionable field not in `read`) and only read `read`."""
    ps = _add(org, "PermissionSet", Name=name.replace(" ", "_"), Label=name,
              IsOwnedByProfile=profile,
              ProfileId=f"00e{len(org.data['PermissionSet']):015d}" if profile else None)
    fields = permissionable(org)
    editable = [f for f in fields if f not in read] if "*" in edit else list(edit)
    for name_, can_edit in [*((f, True) for f in editable), *((f, False) for f in read)]:
        _add(org, "FieldPermissions", ParentId=ps["Id"], SobjectType=name_.split(".")[0],
             Field=name_, PermissionsRead=True, PermissionsEdit=can_edit)
    return ps["Id"]


def assign(org, user_id: str, ps_id: str) -> None:
    _add(org, "PermissionSetAssignment", AssigneeId=user_id, PermissionSetId=ps_id,
         PermissionSetGroupId=None)


def seed(org, read_only: dict[str, list[str]] | None = None) -> dict[str, str]:
    """Every user on the "Standard User" profile, which may edit every permissionable field;
    the users in `read_only` (user id -> "Object.Field"s) on a "Read Only Sales" profile that
    may only read those fields. Returns the permission set ids by label, with one more, the
    "Industry Editors" permission set (edit on Account.Industry), assigned to nobody."""
    read_only = read_only or {}
    ids = {"Standard User": permission_set(org, "Standard User", profile=True, edit="*")}
    for user in org.data["User"].values():
        fields = read_only.get(user["Id"])
        if fields:
            label = f"Read Only Sales {len(ids)}"
            ids[label] = permission_set(org, label, profile=True, edit="*", read=fields)
            assign(org, user["Id"], ids[label])
        else:
            assign(org, user["Id"], ids["Standard User"])
    ids["Industry Editors"] = permission_set(org, "Industry Editors", edit=["Account.Industry"])
    return ids


def control(org, query: dict) -> tuple[int, dict]:
    """POST /_test/cannot-edit?user=Rep%2003&fields=Account.Industry[,Account.Phone]: for
    trying chaser by hand, put the user (by name or id) on a profile that may only read those
    fields, seeding the usual profiles first when the org has none. Ready for
    admin.SF_ORG_CONTROLS."""
    who, fields = query.get("user", ""), [f for f in query.get("fields", "").split(",") if f]
    with org.lock:
        user = next((u for u in org.data["User"].values() if who in (u["Id"], u["Name"])), None)
        if user is None or not fields:
            return 400, {"error": "give user=<name or id> and fields=Object.Field[,...]"}
        if not org.data["PermissionSet"]:
            seed(org)
        profiles = {ps["Id"] for ps in org.data["PermissionSet"].values() if ps["IsOwnedByProfile"]}
        for a in list(org.data["PermissionSetAssignment"].values()):
            if a["AssigneeId"] == user["Id"] and a["PermissionSetId"] in profiles:
                del org.data["PermissionSetAssignment"][a["Id"]]
        label = f"Read Only Sales {len(org.data['PermissionSet']) + 1}"
        assign(org, user["Id"], permission_set(org, label, profile=True, edit="*", read=fields))
    return 200, {"user": user["Id"], "cannot_edit": fields}
