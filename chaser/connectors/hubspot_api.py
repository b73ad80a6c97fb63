"""HubSpot CRM v3 over the shared HTTP policy: what each response means, and the three ways
HubSpot pages (object lists, search, owners). Knows nothing of rules, caches or snapshots.

Facts this relies on (DESIGN.md section 5): list pages carry no total and end only when
`paging` is absent, so an empty page that still has a cursor is not the end; search takes one
sort, at most 200 results a page and pages through at most 10,000 results per query, and its
answer carries `total` (the spec's CollectionResponseWithTotalSimplePublicObject); a 429
names its `policyName`, and a DAILY limit must never be retried.

Pacing, from HubSpot's "API usage details" page (developers.hubspot.com/docs/api/usage-details):
every answer carries X-HubSpot-RateLimit-Max / -Remaining / -Interval-Milliseconds (the
-Secondly pair is deprecated there, and ignored here), except search answers, which carry
none; the Search API is limited to four requests per second per authentication token (same
page, and the changelog post "CRM Search API Rate Limit Increase").

Every message built from an answer goes through `secrets.redact` (the token is registered with
it when read), and HubSpot's `category` and `policyName` are quoted only when they look like
the upper-case codes HubSpot sends: a server may echo the token in any field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from chaser.connectors.base import AuthError, ConnectorError, LimitError
from chaser.connectors.http import Allowance, Http, RateLimiter, Retry, default_classify
from chaser.model import NO_TEAM, Layout, Person
from chaser.secrets import redact, register

LIST_LIMIT = 100  # the list endpoint's largest page
OWNERS_LIMIT = 500
SEARCH_LIMIT = 200  # the search endpoint's largest page
SEARCH_CAP = 10_000  # results one search query can page through
SEARCH_PER_SECOND = 4  # HubSpot's own limit on search, on top of the app's 10-second limit
ID_PROPERTY = "hs_object_id"  # always set; asked for alone, the list sends the least it can
MAX_PAGES = 1_000_000  # no paging loop runs forever, whatever a server answers
_CODE = re.compile(r"[A-Z][A-Z0-9_]{0,63}")  # a category or policyName as HubSpot writes them


class SearchStuck(ConnectorError):
    """More records share one modified millisecond than one search can page through, so the
    search cannot move its cursor on; the caller reads the object in full instead."""


@dataclass(frozen=True, slots=True)
class Page:
    number: int  # 1-based, per query run, for messages and progress
    results: list[dict]
    total: int | None = None  # search tells the total; lists do not


@dataclass(frozen=True, slots=True)
class Portal:
    id: int
    ui_domain: str = "app.hubspot.com"


def to_ms(value: object) -> int | None:
    """A HubSpot date-time (ISO text, or epoch milliseconds as text) as epoch milliseconds."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return int(at.timestamp() * 1000)


def ms_to_iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds")


class Api:
    """HubSpot's endpoints for one sync, on one `Http`."""

    def __init__(self, http: Http, token: str, *, search_cap: int = SEARCH_CAP) -> None:
        self.http = http
        self.search_cap = search_cap
        register(token)  # kept nowhere here: nothing's repr (or a traceback's locals) shows it
        http.pace_by(allowance)
        # Search answers say nothing of the search limit, so nothing tells this process what
        # another spent in the last second: it starts as if that second were full (<= 1 s).
        self.search_limiter = RateLimiter(SEARCH_PER_SECOND, http.limiter.clock,
                                          http.limiter.sleep, window=1.0)
        self.search_limiter.fill()
        # (used today, daily limit) from the last X-HubSpot-RateLimit-Daily[-Remaining] pair:
        # sent to private apps, not to OAuth apps (no daily limit) nor by search
        self.usage: tuple[int, int] | None = None

    # ---- one request ----------------------------------------------------------------------
    def _classify(self, what: str, tolerate: frozenset[int] = frozenset()
                  ) -> Callable[[httpx.Response], Retry | None]:
        def classify(response: httpx.Response) -> Retry | None:
            self._read_usage(response)
            code = response.status_code
            if 200 <= code < 300 or code in tolerate:
                return None
            if code == 429:
                raw = _body(response).get("policyName")
                policy = _code(raw)
                if isinstance(raw, str) and raw.upper() == "DAILY":
                    raise LimitError(
                        f"{what}: HubSpot's daily API limit for this account is spent (429 "
                        "DAILY); chaser does not retry it: sync again after the limit resets "
                        "at midnight in the account's time zone")
                hint = default_classify(response)  # keeps a Retry-After, should one come
                after = hint.after if hint else None
                if policy == "SECONDLY":  # the search limit: its window is one second
                    after = max(after or 0.0, 1.0)
                return Retry(after, f"HTTP 429 {policy or 'rate limit'}")
            verdict = default_classify(response)  # 5xx: back off and try again
            if verdict is not None:
                return verdict
            detail = self._detail(response)
            if code == 401:
                raise AuthError(f"{what}: HubSpot refused the token (401): run "
                                "`chaser connect hubspot`")
            if code == 403:
                raise AuthError(f"{what}: HubSpot denied access ({detail}); give the private "
                                "app the read scopes for this object and for owners")
            raise ConnectorError(f"{what}: HubSpot answered {detail}")

        return classify

    def _read_usage(self, response: httpx.Response) -> None:
        daily = response.headers.get("X-HubSpot-RateLimit-Daily", "")
        left = response.headers.get("X-HubSpot-RateLimit-Daily-Remaining", "")
        if daily.isdigit() and left.isdigit() and int(daily) > 0:
            self.usage = (max(0, int(daily) - int(left)), int(daily))

    def _detail(self, response: httpx.Response) -> str:
        body = _body(response)
        message = body.get("message") if isinstance(body.get("message"), str) else None
        category = _code(body.get("category"))
        # scrubbed before the cut, so a cut never leaves half a token behind
        text = redact(" ".join((message or response.text).split()))
        head = f"HTTP {response.status_code}" + (f" {category}" if category else "")
        return f"{head}: {text[:300]}" if text else head

    def _json(self, response: httpx.Response, what: str) -> dict:
        try:
            data = response.json()
        except ValueError:
            raise ConnectorError(f"{what}: HubSpot sent a reply that is not JSON "
                                 f"(HTTP {response.status_code})") from None
        if not isinstance(data, dict):
            raise ConnectorError(f"{what}: HubSpot sent an unexpected reply (not an object)")
        return data

    def get(self, url: str, what: str, params: dict | None = None) -> dict:
        response = self.http.request("GET", url, what=what, classify=self._classify(what),
                                     params=params)
        return self._json(response, what)

    # ---- endpoints ------------------------------------------------------------------------
    def account(self) -> Portal | None:
        """The portal id and UI domain, for record links; None when the token may not read
        account details (links are then left out, nothing else changes)."""
        what = "HubSpot account details"
        response = self.http.request("GET", "/account-info/v3/details", what=what,
                                     classify=self._classify(what, frozenset({403, 404})))
        if response.status_code != 200:
            return None
        data = self._json(response, what)
        portal = data.get("portalId")
        domain = str(data.get("uiDomain") or "app.hubspot.com")
        if not isinstance(portal, int) or isinstance(portal, bool):
            return None
        # The domain goes into a URL template: accept a plain host name only.
        if not domain.replace("-", "").replace(".", "").isalnum():
            domain = "app.hubspot.com"
        return Portal(portal, domain.lower())

    def owners(self, archived: bool) -> Iterator[Page]:
        state = "archived" if archived else "active"
        yield from self._paged(
            "/crm/v3/owners", {"limit": OWNERS_LIMIT, "archived": _flag(archived)},
            lambda n: f"HubSpot owners ({state}) page {n}")

    def list_pages(self, obj: str, properties: list[str], *, archived: bool = False
                   ) -> Iterator[Page]:
        label = f"HubSpot {obj}" + (" (archived)" if archived else "")
        yield from self._paged(
            f"/crm/v3/objects/{obj}",
            {"limit": LIST_LIMIT, "properties": ",".join(properties), "archived": _flag(archived)},
            lambda n: f"{label} page {n}")

    def _paged(self, url: str, params: dict, what: Callable[[int], str]) -> Iterator[Page]:
        """Follow paging.next.after until `paging` is absent; empty pages do not end it."""
        after: str | None = None
        seen: set[str] = set()
        for number in range(1, MAX_PAGES + 1):
            data = self.get(url, what(number), {**params, **({"after": after} if after else {})})
            yield Page(number, _results(data, what(number)))
            after = _next_after(data)
            if after is None:
                return
            if after in seen:  # a server that loops would otherwise cost the daily allowance
                raise ConnectorError(f"{what(number)}: HubSpot repeated the paging cursor "
                                     f"{redact(after)[:40]!r}; stopping rather than reading "
                                     "forever")
            seen.add(after)
        raise ConnectorError(f"{what(MAX_PAGES)}: more than {MAX_PAGES:,} pages")

    def search(self, obj: str, modified: str, since_ms: int, properties: list[str]
               ) -> Iterator[Page]:
        """Records whose `modified` date is after `since_ms`, oldest change first.

        One query can page through `search_cap` results only. At the cap the search starts
        again from the last modified value seen, with GTE rather than GT so records sharing
        that millisecond are not lost: the caller merges by id, so the overlap is harmless.
        Raises SearchStuck when a whole query shares one millisecond (no progress possible).
        """
        op, value, number = "GT", since_ms, 0
        while True:
            fetched, after, last = 0, None, None
            while True:
                limit = min(SEARCH_LIMIT, self.search_cap - fetched)
                if limit <= 0:
                    break  # at the cap: restart with a new filter
                number += 1
                if number > MAX_PAGES:
                    raise ConnectorError(f"HubSpot {obj} changes: more than {MAX_PAGES:,} pages")
                what = f"HubSpot {obj} changes page {number}"
                body = {
                    "filterGroups": [{"filters": [
                        {"propertyName": modified, "operator": op, "value": str(value)}]}],
                    "sorts": [{"propertyName": modified, "direction": "ASCENDING"}],
                    "properties": properties,
                    "limit": limit,
                    **({"after": after} if after else {}),
                }
                response = self.http.request(
                    "POST", f"/crm/v3/objects/{obj}/search", what=what,
                    classify=self._classify(what), limiter=self.search_limiter, json=body)
                data = self._json(response, what)
                results = _results(data, what)
                total = data.get("total") if isinstance(data.get("total"), int) else None
                yield Page(number, results, total)
                fetched += len(results)
                for rec in reversed(results):
                    ms = to_ms((rec.get("properties") or {}).get(modified))
                    if ms is not None:
                        last = ms
                        break
                after = _next_after(data)
                if after is None:
                    return
            if last is None or (op == "GTE" and last <= value):
                raise SearchStuck(f"HubSpot {obj} changes: more than {self.search_cap:,} "
                                  f"records share the modified time {ms_to_iso(value)}")
            op, value = "GTE", last

    def count(self, obj: str) -> int:
        """How many live (not archived) records `obj` has: one search, no filter, `limit=1`,
        reading `total`. One request, paced like every search (4/s). HubSpot's search index
        trails writes by a few seconds, so a record created or deleted just now may be
        missing from this count for a moment: a mismatch should lead to a sweep (`ids`), not
        to a conclusion."""
        what = f"HubSpot {obj} count"
        body = {"filterGroups": [], "properties": [ID_PROPERTY], "limit": 1}
        response = self.http.request("POST", f"/crm/v3/objects/{obj}/search", what=what,
                                     classify=self._classify(what), limiter=self.search_limiter,
                                     json=body)
        total = self._json(response, what).get("total")
        if not isinstance(total, int) or isinstance(total, bool) or total < 0:
            raise ConnectorError(f"{what}: HubSpot sent a search reply without a total")
        return total

    def id_pages(self, obj: str) -> Iterator[Page]:
        """Every live record of `obj`, 100 a page, asking only for `hs_object_id`: the list
        always adds `createdate` and the modified date, which no request can leave out (a
        HubSpot maintainer in HubSpot/hubspot-api-python#357), and omitting `properties`
        would send the larger default set instead."""
        yield from self._paged(
            f"/crm/v3/objects/{obj}",
            {"limit": LIST_LIMIT, "properties": ID_PROPERTY, "archived": "false"},
            lambda n: f"HubSpot {obj} ids page {n}")

    def ids(self, obj: str) -> set[str]:
        """The ids of every live record of `obj` (see id_pages): for the sweep after a count
        that does not match the merged rows."""
        return {str(rec["id"]) for page in self.id_pages(obj) for rec in page.results}


def allowance(response: httpx.Response) -> Allowance | None:
    """HubSpot's 10-second window from an answer's X-HubSpot-RateLimit-Max, -Remaining and
    -Interval-Milliseconds (HubSpot's "API usage details" page); None when they are missing,
    as on every search answer, or are not whole numbers."""
    limit, left, interval = (_whole(response.headers.get(f"X-HubSpot-RateLimit-{name}"))
                             for name in ("Max", "Remaining", "Interval-Milliseconds"))
    if limit is None or left is None or limit < 1:
        return None
    return Allowance(limit, left, interval / 1000 if interval else None)


def _whole(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) <= 12 else None


def _code(value: object) -> str:
    """A HubSpot code (category, policyName) fit to quote, or "" for anything else."""
    text = redact(value) if isinstance(value, str) else ""
    return text if _CODE.fullmatch(text) else ""


def _flag(b: bool) -> str:
    return "true" if b else "false"


def _body(response: httpx.Response) -> dict:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _results(data: dict, what: str) -> list[dict]:
    results = data.get("results")
    if not isinstance(results, list) or not all(
            isinstance(r, dict) and r.get("id") is not None for r in results):
        raise ConnectorError(f"{what}: HubSpot sent an unexpected reply (no results list)")
    return results


def _next_after(data: dict) -> str | None:
    paging = data.get("paging")
    if not isinstance(paging, dict):
        return None
    nxt = paging.get("next")
    after = nxt.get("after") if isinstance(nxt, dict) else None
    return str(after) if after not in (None, "") else None


# ---- HubSpot payloads as chaser rows and people ------------------------------------------

NAME = "(name)"  # computed column: parentheses cannot occur in a HubSpot property name
# Which properties make a record's display name: the first alternative with any text wins.
NAME_PARTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "deals": (("dealname",),),
    "contacts": (("firstname", "lastname"), ("email",)),
    "companies": (("name",), ("domain",)),
    "tickets": (("subject",),),
}


def _text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def row_maker(obj: str, layout: Layout):
    """A function from one HubSpot result to a row in `layout`'s column order. A property
    missing from the reply stays None: missing, null and "" are all blank to the rules."""
    alternatives = NAME_PARTS.get(obj, ())
    getters = layout.columns

    def make(rec: dict) -> list:
        props = rec.get("properties") or {}
        row: list = []
        for col in getters:
            if col == "id":
                row.append(str(rec["id"]))
            elif col == NAME:
                row.append(record_name(props, alternatives))
            else:
                row.append(_text(props.get(col)))
        return row

    return make


def record_name(props: dict, alternatives) -> str | None:
    for alt in alternatives:
        text = " ".join(str(props[p]).strip() for p in alt if props.get(p) not in (None, ""))
        if text.strip():
            return text.strip()
    return None


def person_of(owner: dict, archived: bool) -> Person | None:
    """The person an owner is, or None for a queue: the CRM v3 owners spec (PublicOwner.type)
    says an owner "can be either PERSON or QUEUE", and a queue is a bucket, never a person.
    An owner without `type` (older answers) is a person."""
    if str(owner.get("type") or "").strip().upper() == "QUEUE":
        return None
    key = str(owner.get("id"))
    email = owner.get("email") or None
    name = " ".join(str(owner.get(k) or "").strip() for k in ("firstName", "lastName")).strip()
    teams = [t for t in owner.get("teams") or [] if isinstance(t, dict) and t.get("name")]
    primary = next((t for t in teams if t.get("primary")), teams[0] if teams else None)
    ms = to_ms(owner.get("createdAt"))  # ISO 8601, e.g. "2019-12-25T13:01:35.228Z"
    return Person(key=key, name=name or email or f"owner {key}",
                  team=str(primary["name"]) if primary else NO_TEAM,
                  email=email, active=not archived and not owner.get("archived", False),
                  started=None if ms is None else datetime.fromtimestamp(ms / 1000, UTC))
