"""The fake HubSpot's endpoints (tests/hubspot_server.py): account details, owners, object
lists, search, and the two deletions HubSpot has. Each takes the FakeHubSpot (its lock held)
and returns (status, JSON body, fault kind for the transport)."""

from __future__ import annotations

import bisect

from servers.hs_base import BASE_TIME, CHANGE_TIME, TYPES, error, iso, modified_of, to_ms
from servers.hs_limits import rate_limited


def route(fake, method: str, path: str, query: dict, body: dict | None):
    parts = path.strip("/").split("/")
    if path == "/account-info/v3/details" and method == "GET":
        if fake.portal is None:
            return 403, error("This app hasn't been granted all required scopes.",
                              "MISSING_SCOPES"), None
        return 200, {"portalId": fake.portal, "uiDomain": "app.hubspot.com",
                     "timeZone": "UTC", "companyCurrency": "USD",
                     "dataHostingLocation": "na1"}, None
    if path == "/crm/v3/owners" and method == "GET":
        return owners(fake, query)
    if parts[:3] == ["crm", "v3", "objects"] and len(parts) >= 4:
        obj = parts[3]
        if obj not in TYPES:
            return 400, error(f"Unable to infer object type from: {obj}", "VALIDATION_ERROR"), None
        if len(parts) == 4 and method == "GET":
            return list_page(fake, obj, query)
        if len(parts) == 5 and parts[4] == "search" and method == "POST":
            return search(fake, obj, body or {})
        if len(parts) == 5 and method == "DELETE":
            return delete(fake, obj, parts[4], hard=False)
        if parts[4:] == ["gdpr-delete"] and obj == "contacts" and method == "POST":
            return delete(fake, obj, str((body or {}).get("objectId", "")), hard=True)
    return 404, error(f"no route {method} {path}", "OBJECT_NOT_FOUND"), None


def owners(fake, query):
    limit = int(query.get("limit", "100"))
    if not 1 <= limit <= 500:
        return 400, error("limit must be from 1 to 500", "VALIDATION_ERROR"), None
    archived = query.get("archived", "false") == "true"
    rows = [o for o in fake.owners if o["archived"] == archived]
    start = int(query.get("after", "0"))
    out = {"results": rows[start:start + limit]}
    if start + limit < len(rows):
        out["paging"] = {"next": {"after": str(start + limit),
                                  "link": "https://api.hubapi.com/crm/v3/owners?after=..."}}
    return 200, out, None


def list_page(fake, obj, query):
    limit = int(query.get("limit", "10"))
    if not 1 <= limit <= 100:
        return 400, error("limit must be from 1 to 100", "VALIDATION_ERROR"), None
    archived = query.get("archived", "false") == "true"
    props = [p for p in query.get("properties", "").split(",") if p]
    after = query.get("after", "")
    injected = after.startswith("e")  # the empty page was served: now the real one
    start_id = int(after.lstrip("e") or 0)
    ids = fake.sorted_ids(obj)
    table = fake.records.get(obj, {})
    i = bisect.bisect_left(ids, start_id)
    if not injected and i < len(ids) and str(ids[i]) in fake.empty_page_before.get(obj, ()):
        return 200, {"results": [], "paging": {"next": {"after": f"e{ids[i]}"}}}, None
    page = []
    while i < len(ids) and len(page) < limit:
        rec = table[str(ids[i])]
        if rec["archived"] == archived:
            page.append(shape(obj, rec, props))
        i += 1
    out = {"results": page}
    # HubSpot says nothing of a total: `paging` is present while more may follow.
    while i < len(ids) and table[str(ids[i])]["archived"] != archived:
        i += 1
    if i < len(ids):
        out["paging"] = {"next": {"after": str(ids[i]), "link": "..."}}
    return 200, out, None


def search(fake, obj, body):
    limit = body.get("limit", 10)
    if not isinstance(limit, int) or not 1 <= limit <= 200:
        return 400, error("limit must be from 1 to 200", "VALIDATION_ERROR"), None
    sorts = body.get("sorts") or []
    if len(sorts) > 1:
        return 400, error("only one sort is allowed", "VALIDATION_ERROR"), None
    after = int(body.get("after") or 0)
    if after + limit > fake.search_cap:
        return 400, error(f"Search results are limited to {fake.search_cap} per query; "
                          "narrow the filters", "VALIDATION_ERROR"), None
    groups = body.get("filterGroups") or []
    hits = [r for r in fake.records.get(obj, {}).values()
            if not r["archived"] and (not groups or any(
                all(_match(r, f) for f in g.get("filters", [])) for g in groups))]
    if sorts:
        prop = sorts[0]["propertyName"]
        hits.sort(key=lambda r: (_key(r["properties"].get(prop)), int(r["id"])),
                  reverse=sorts[0].get("direction") == "DESCENDING")
    else:
        hits.sort(key=lambda r: int(r["id"]))
    page = [shape(obj, r, body.get("properties") or []) for r in hits[after:after + limit]]
    out = {"total": len(hits), "results": page}  # the total of all matches, whatever `limit`
    if after + limit < len(hits):
        out["paging"] = {"next": {"after": str(after + limit)}}
    return 200, out, None


def delete(fake, obj, rid, hard: bool):
    """DELETE /crm/v3/objects/{type}/{id} moves a record to the recycling bin (it is listed
    with archived=true from then on); POST /crm/v3/objects/contacts/gdpr-delete deletes it
    "permanently" (both from the CRM v3 objects and contacts specs): it vanishes from every
    list, archived ones included."""
    if rid not in fake.records.get(obj, {}):
        return 404, error(f"resource not found: {obj} {rid}", "OBJECT_NOT_FOUND"), None
    fake.remove(obj, rid, hard=hard)
    return 204, None, None


def _key(value):
    ms = to_ms(value)
    return (0, ms, "") if ms is not None else (1, 0, str(value or ""))


def _match(rec: dict, f: dict) -> bool:
    value = rec["properties"].get(f.get("propertyName"))
    op = f.get("operator")
    if op == "HAS_PROPERTY":
        return value not in (None, "")
    if op == "NOT_HAS_PROPERTY":
        return value in (None, "")
    if value in (None, ""):
        return False
    a, b = to_ms(value), to_ms(f.get("value"))
    if a is None or b is None:
        a, b = str(value), str(f.get("value"))
    return {"EQ": a == b, "NEQ": a != b, "GT": a > b, "GTE": a >= b, "LT": a < b,
            "LTE": a <= b}.get(op, False)


def shape(obj: str, rec: dict, props: list[str]) -> dict:
    """A record as HubSpot sends it: the asked-for properties it has (a property the record
    never had is left out; null and "" come back as they are) and, whatever was asked, the
    system ones: "createdate, hs_object_id, and lastmodifieddate ... are basic system fields
    that cannot be excluded from the response" (a HubSpot maintainer in
    HubSpot/hubspot-api-python#357; deals and companies call the last hs_lastmodifieddate)."""
    p = rec["properties"]
    modified = modified_of(obj)
    out = {k: p[k] for k in props if k in p}
    out.update(createdate=p.get("createdate") or iso(BASE_TIME), hs_object_id=rec["id"])
    out[modified] = p.get(modified)
    return {"id": rec["id"], "properties": out, "createdAt": iso(BASE_TIME),
            "updatedAt": p.get(modified), "archived": rec["archived"],
            **({"archivedAt": iso(CHANGE_TIME)} if rec["archived"] else {})}


def fault(kind: str) -> tuple[int, object, str | None]:
    """A scripted fault (FakeHubSpot.fail) as the answer HubSpot would send."""
    if kind == "429":
        return 429, rate_limited("TEN_SECONDLY_ROLLING"), None
    if kind == "daily":
        return 429, rate_limited("DAILY"), None
    if kind in ("503", "500"):
        return int(kind), {"status": "error", "message": "Service Unavailable"}, None
    if kind == "401":
        return 401, error("The OAuth token used to make this call expired.",
                          "EXPIRED_AUTHENTICATION"), None
    if kind == "400":
        return 400, error("Property values were not valid", "VALIDATION_ERROR"), None
    return 200, {"results": [], "paging": {"next": {"after": "999"}}}, kind  # drop / truncate
