"""A chase timer: start, stop, elapsed; visible only while it runs.

Time comes from an injected monotonic clock (`app.clock` by default) so tests can drive it; the
display ticks once a second but never decides the elapsed time itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.widgets import Static

if TYPE_CHECKING:
    from textual import getters

    from chaser.app import ChaserApp


def whole_minutes(seconds: float) -> int:
    """Minutes to log for a timed chase: started minutes count, and a chase is at least 1."""
    return max(1, math.ceil(seconds / 60))


class ChaseTimer(Static):
    DEFAULT_CSS = """
    ChaseTimer { display: none; height: 1; width: auto; padding: 0 1;
                 background: $warning-muted; color: $text; text-style: bold; }
    ChaseTimer.-running { display: block; }
    """

    if TYPE_CHECKING:
        app = getters.app(ChaserApp)

    def __init__(self, clock: Callable[[], float] | None = None, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self._clock = clock
        self.started: float | None = None
        self._ticker = None

    @property
    def clock(self) -> Callable[[], float]:
        return self._clock or self.app.clock

    @property
    def running(self) -> bool:
        return self.started is not None

    def elapsed(self) -> float:
        return 0.0 if self.started is None else max(0.0, self.clock() - self.started)

    def start(self) -> None:
        self.started = self.clock()
        self.add_class("-running")
        self._tick()
        self._ticker = self.set_interval(1, self._tick)

    def stop(self) -> float:
        """Stop and return the seconds elapsed."""
        seconds = self.elapsed()
        self.started = None
        if self._ticker is not None:
            self._ticker.stop()
            self._ticker = None
        self.remove_class("-running")
        return seconds

    def _tick(self) -> None:
        s = int(self.elapsed())
        self.update(f"⏱ chase timer {s // 60:02d}:{s % 60:02d} · t stops and logs")
