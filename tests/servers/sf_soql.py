"""Just enough SOQL for the loopback server: SELECT a, B.c FROM X [WHERE f op v AND ...]
[ORDER BY f [ASC|DESC]] [LIMIT n], SELECT COUNT() FROM X [WHERE ...], relationship paths,
INVALID_FIELD / INVALID_TYPE / MALFORMED_QUERY errors as Salesforce names them, and rendering
of records with nested (or null) relationships and compound (address, location) values."""

from __future__ import annotations

import re
from datetime import datetime

from servers.sf_org import COMPOUNDS, VERSION, Org

# ---- a small SOQL --------------------------------------------------------------------------
_SOQL = re.compile(r"\s*SELECT\s+(?P<fields>.+?)\s+FROM\s+(?P<obj>\w+)"
                   r"(?:\s+WHERE\s+(?P<where>.+?))?"
                   r"(?:\s+ORDER\s+BY\s+(?P<order>[\w.]+)(?:\s+(?P<dir>ASC|DESC))?)?"
                   r"(?:\s+LIMIT\s+(?P<limit>\d+))?\s*$", re.I | re.S)
# "COUNT() must be the only element in the SELECT list" (SOQL and SOSL Reference, COUNT()).
COUNT = "COUNT()"
_COND = re.compile(r"\s*([\w.]+)\s*(=|!=|>=|<=|>|<|\bIN\b)\s*(.+?)\s*$", re.I)


class SoqlError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _literal(text: str):
    text = text.strip()
    if text.startswith("("):
        return [_literal(t) for t in text.strip("()").split(",")]
    if text.startswith("'"):
        return text.strip("'")
    if re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)", text):
        return parse_time(text)
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if text.lower() == "null":
        return None
    raise SoqlError("MALFORMED_QUERY", f"unexpected token: {text}")


def parse_time(text: str) -> datetime:
    s = text.replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", s):
        s = f"{s[:-2]}:{s[-2:]}"
    return datetime.fromisoformat(s)


def _get(rec: dict, path: str):
    v = rec
    for seg in path.split("."):
        if not isinstance(v, dict):
            return None
        v = v.get(seg)
    return v


def _canon(org: Org, obj: str, path: str) -> str:
    fields = org.describes[obj]["fields"]
    head, _, rest = path.partition(".")
    if rest:
        rel = next((f["relationshipName"] for f in fields
                    if (f.get("relationshipName") or "").lower() == head.lower()), None)
        if rel is None:
            raise SoqlError("INVALID_FIELD", f"Didn't understand relationship '{head}' in field "
                            f"path. No such column '{head}' on entity '{obj}'.")
        return f"{rel}.{rest}"
    name = next((f["name"] for f in fields if f["name"].lower() == head.lower()), None)
    if name is None or f"{obj}.{name}" in org.unqueryable:
        raise SoqlError("INVALID_FIELD", f"\nSELECT {path}\n       ^\nERROR at Row:1:Column:8\n"
                        f"No such column '{path}' on entity '{obj}'.")
    return name


def run_soql(org: Org, soql: str, all_rows: bool) -> tuple[str, list[str], list[dict]]:
    m = _SOQL.match(soql)
    if not m:
        raise SoqlError("MALFORMED_QUERY", "unexpected token")
    obj = m["obj"]
    if obj not in org.describes:
        raise SoqlError("INVALID_TYPE", f"sObject type '{obj}' is not supported.")
    if re.fullmatch(r"\s*COUNT\(\s*\)\s*", m["fields"], re.I):
        fields = [COUNT]
    else:
        fields = [_canon(org, obj, f.strip()) for f in m["fields"].split(",")]
        if any(f.upper() == COUNT for f in fields):
            raise SoqlError("MALFORMED_QUERY", "COUNT() must be the only element in the "
                            "SELECT list")
    conds = []
    for part in re.split(r"\s+AND\s+", m["where"] or "", flags=re.I) if m["where"] else []:
        c = _COND.match(part)
        if not c:
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: {part}")
        conds.append((_canon(org, obj, c[1]), c[2].upper(), _literal(c[3])))
    with org.lock:
        records = [r for r in org.data[obj].values()
                   if (all_rows or not r.get("IsDeleted")) and all(_test(r, *c) for c in conds)]
    if m["order"]:
        key = _canon(org, obj, m["order"])
        # nulls first ascending, as SOQL sorts by default ("NULLS FIRST")
        records.sort(key=lambda r: (_get(r, key) is not None, _get(r, key) or ""),
                     reverse=(m["dir"] or "").upper() == "DESC")
    if m["limit"]:
        records = records[:int(m["limit"])]
    return obj, fields, records


def _test(rec: dict, path: str, op: str, want) -> bool:
    have = _get(rec, path)
    if isinstance(want, datetime):
        have = parse_time(have) if have else None
        if have is None:
            return False
    if op == "=":
        return have == want
    if op == "!=":
        return have != want
    if op == "IN":
        return have in want
    return {">": have > want, "<": have < want, ">=": have >= want, "<=": have <= want}[op]


def render(obj: str, rec: dict, fields: list[str]) -> dict:
    out: dict = {"attributes": {"type": obj, "url": f"/services/data/v{VERSION}/sobjects/{obj}/"
                                                    f"{rec['Id']}"}}
    compounds = COMPOUNDS.get(obj, {})
    for f in fields:
        head, _, rest = f.partition(".")
        if f in compounds:  # REST reads a compound as one object of its components' values
            value = {key: rec.get(part) for part, key in compounds[f]}
            out[f] = value if any(v is not None for v in value.values()) else None
            continue
        if not rest:
            out[f] = rec.get(f)
            continue
        sub = rec.get(head)
        if sub is None:
            out[head] = None
        else:
            node = out.setdefault(head, {"attributes": {"type": head, "url": "/x"}})
            node[rest] = sub.get(rest)
    return out


def csv_cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)
