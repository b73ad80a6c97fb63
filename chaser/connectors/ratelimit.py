"""Client-side pacing: a rolling window of requests, seeded and steered by what a server says
of its own window (HubSpot's X-HubSpot-RateLimit-* headers), so a process started inside
another's window draws no 429. Used by chaser.connectors.http.Http."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import httpx


@dataclass(frozen=True, slots=True)
class Allowance:
    """What a server says of its own rate window in one answer: `limit` requests per
    `interval` seconds, of which `remaining` are still free (the answered request counted)."""

    limit: int
    remaining: int
    interval: float | None = None


# pace(response) -> the server's Allowance, or None when the answer does not say (a vendor
# hook: HubSpot's X-HubSpot-RateLimit-* headers; Salesforce sends no such thing).
Pace = Callable[[httpx.Response], "Allowance | None"]
UNLIMITED = 1_000_000  # a window no client reaches: the server limiter before it has heard
HEADROOM = 0.1  # share of a told limit left free for other clients' first requests


class RateLimiter:
    """At most `per_10s` requests in any 10-second window, as the server counts them.

    A request is counted from when it may start until `finished()` says its answer came (or
    it failed): however long it was in flight, the N+1st starts a full window after the 1st
    ended, so even arrival-time jitter cannot put N+1 requests in one window at the server.

    `observe()` takes the server's word: its limit and window replace the configured ones, and
    requests it counted that this limiter did not send (another process, a sync that just
    ended) are booked as `others`, dated now as their dates are unknown: slow, never a 429.
    """

    def __init__(self, per_10s: int, clock: Callable[[], float], sleep: Callable[[float], None],
                 window: float = 10.0) -> None:
        self.per_window = max(1, per_10s)
        self.window = window
        self.clock, self.sleep = clock, sleep
        self.sent: deque[float] = deque()  # our own requests, by when each counts from
        self.others: deque[float] = deque()  # the server's count beyond ours (see observe)
        self.waited = 0.0  # seconds spent waiting for the window, for a sync's notes

    def _held(self, now: float) -> int:
        for queue in (self.sent, self.others):
            while queue and now - queue[0] >= self.window:
                queue.popleft()
        return len(self.sent) + len(self.others)

    def wait(self, check: Callable[[], None] | None = None) -> None:
        """Block until one more request fits the window; `check` (a cancel check) runs
        between short sleeps, so a wait of a whole window can still be cancelled."""
        while True:
            now = self.clock()
            if self._held(now) < self.per_window:
                self.sent.append(now)
                return
            oldest = min(q[0] for q in (self.sent, self.others) if q)
            delay = self.window - (now - oldest) + 0.001
            if check is not None:
                check()
                delay = min(delay, 0.25)
            self.sleep(delay)
            self.waited += delay

    def finished(self) -> None:
        """The request admitted last has ended: count it from now (see the class doc)."""
        if self.sent:
            self.sent[-1] = max(self.sent[-1], self.clock())

    def fill(self) -> None:
        """Start as if the window were full: for a limit the server never reports, what
        another process spent just before this one started is unknowable."""
        now = self.clock()
        while self._held(now) < self.per_window:
            self.others.append(now)

    def observe(self, told: Allowance) -> None:
        """Pace to what the server said in an answer (see the class doc). A share of the
        limit (HEADROOM) stays free, so a process starting inside this one's window has
        room for the first request that tells it how full the window is."""
        if told.limit < 1:
            return
        if told.interval is not None and 0.05 <= told.interval <= 3600:
            self.window = told.interval
        self.per_window = max(1, told.limit - max(1, int(told.limit * HEADROOM)))
        now = self.clock()
        self._held(now)
        used = told.limit - min(max(told.remaining, 0), told.limit)
        foreign = max(0, used - len(self.sent))
        while len(self.others) > foreign:  # fewer than booked: the oldest went first
            self.others.popleft()
        while len(self.others) < foreign:
            self.others.append(now)
