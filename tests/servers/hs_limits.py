"""The fake HubSpot's rate limits, as HubSpot's "API usage details" page
(developers.hubspot.com/docs/api/usage-details) describes them:

- a rolling window of `max` requests per `interval_ms` (100 per 10 s on Free and Starter, 190
  on Professional and Enterprise since the changelog post "Increasing our API limits"),
  counted for every connection and every process alike: HubSpot counts per app in an
  account, and the fake has one app per portal. Over it, a 429 whose body names
  `policyName: TEN_SECONDLY_ROLLING`, in the page's 429 format (status, message,
  errorType RATE_LIMIT, correlationId, policyName, requestId); no Retry-After is promised;
- X-HubSpot-RateLimit-Max, -Remaining and -Interval-Milliseconds on every answer except
  search answers, which carry none of the rate-limit headers ("Responses from the search API
  endpoints will not include any of the rate limit headers"); the deprecated -Secondly pair
  is sent too, as the page says it still is;
- the Search API at `search_per_second` (four requests per second per authentication token:
  the same page and the changelog post "CRM Search API Rate Limit Increase"), counted apart
  from the 10-second window (HubSpot's newer usage guidelines say the burst limit "excludes
  the CRM Search API"). Its 429 names policyName SECONDLY: the page only says the policy
  tells "daily or secondly", so that exact name is the fake's guess.

Refused requests are not counted: a rolling window that counted its own 429s would never
let a client that keeps asking back in.
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass, field

_ids = itertools.count(1)


def rate_limited(policy: str) -> dict:
    """A 429 body as HubSpot sends it, for `policy` (TEN_SECONDLY_ROLLING, SECONDLY, DAILY)."""
    what = {"TEN_SECONDLY_ROLLING": "ten_secondly_rolling", "SECONDLY": "secondly",
            "DAILY": "daily"}.get(policy, policy.lower())
    n = next(_ids)
    return {"status": "error", "message": f"You have reached your {what} limit.",
            "errorType": "RATE_LIMIT", "correlationId": f"c033cdaa-0000-4000-8000-{n:012d}",
            "policyName": policy, "requestId": f"3d3e35b7-0000-4000-8000-{n:012d}",
            "groupName": "private-app"}


@dataclass
class Limits:
    max: int = 100
    interval_ms: int = 10_000
    search_per_second: int = 4
    admitted: deque = field(default_factory=deque)  # arrival times in the rolling window
    searches: deque = field(default_factory=deque)  # arrival times in the last second
    refused: dict = field(default_factory=dict)  # policy -> 429s sent by these limits

    @staticmethod
    def _trim(times: deque, now: float, window: float) -> int:
        while times and now - times[0] >= window:
            times.popleft()
        return len(times)

    def admit(self, now: float, search: bool) -> tuple[int, dict, None] | None:
        """None when the request fits (it is counted), else the 429 to send. The caller holds
        the fake's lock, so every connection's request is counted in one place."""
        if search:
            if self._trim(self.searches, now, 1.0) >= self.search_per_second:
                return self._refuse("SECONDLY")
            self.searches.append(now)
            return None
        if self._trim(self.admitted, now, self.interval_ms / 1000) >= self.max:
            return self._refuse("TEN_SECONDLY_ROLLING")
        self.admitted.append(now)
        return None

    def _refuse(self, policy: str) -> tuple[int, dict, None]:
        self.refused[policy] = self.refused.get(policy, 0) + 1
        return 429, rate_limited(policy), None

    def headers(self, now: float) -> dict[str, str]:
        """The window's headers for a (non-search) answer, the request itself counted."""
        used = self._trim(self.admitted, now, self.interval_ms / 1000)
        last_second = sum(1 for t in self.admitted if now - t < 1.0)
        per_second = max(1, self.max // 10)
        return {"X-HubSpot-RateLimit-Max": str(self.max),
                "X-HubSpot-RateLimit-Remaining": str(max(0, self.max - used)),
                "X-HubSpot-RateLimit-Interval-Milliseconds": str(self.interval_ms),
                "X-HubSpot-RateLimit-Secondly": str(per_second),
                "X-HubSpot-RateLimit-Secondly-Remaining": str(max(0, per_second - last_second))}
