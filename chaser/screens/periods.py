"""The period picker every screen uses (overview, costs, chase log), and OwnPeriod: a screen's
period that follows the app's until one is picked there. What a period means is
chaser.periods's alone (the one list, PRESETS, is the CLI's too)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from chaser.screens.base import ChaserScreen

if TYPE_CHECKING:
    from chaser.app import ChaserApp
    from chaser.periods import Period


CUSTOM = "custom"
RANGE_HINT = ("YYYY-MM-DD..YYYY-MM-DD (both days included); also 2026-11, 2026-Q4, 2026, "
              "last-14d; not one that starts after today")


def period_choice(app: ChaserApp, text: str) -> Period:
    """`text` as a Period, cut in the configured zone at the app's "now" (chaser.periods
    decides what a period means; this only supplies the zone and the clock)."""
    from chaser.periods import parse_period

    data = app.data
    tz = data.tz if data is not None and data.tz is not None else app.ws.tz
    return parse_period(text, app.ws.now(), tz)


def describe(period: Period) -> str:
    """"this-month (2026-11-01 – 2026-11-30)"; a custom range is its days only."""
    if ".." in period.label:
        return f"{period.span()} (custom)"
    return f"{period.label} ({period.span()})"


def pick_period(app: ChaserApp, title: str, current: str, done: Callable[[str], None]) -> None:
    """A Picker of chaser.periods.PRESETS (the one list) plus "Custom range…", which asks
    for a period and checks it before closing (a future one is refused there, with the
    reason). Calls ``done(text)`` with the chosen period text."""
    from chaser.errors import ChaserError
    from chaser.modals.picker import Picker
    from chaser.modals.prompt import PromptModal
    from chaser.periods import PRESETS

    keys = {k for k, _ in PRESETS}
    options = [*PRESETS, (CUSTOM, "Custom range…" if current in keys
                          else f"Custom range… ({current})")]

    def check(text: str) -> str | None:
        try:
            period_choice(app, text)
        except ChaserError as e:
            return str(e)
        return None

    def custom(text: str | None) -> None:
        if text:
            done(text.strip())

    def picked(key: str | None) -> None:
        if key == CUSTOM:
            value = "" if current in keys else current
            app.push_screen(PromptModal("Custom period", RANGE_HINT, label="Period",
                                        value=value, placeholder="2026-10-01..2026-10-31",
                                        confirm="Use period", check=check), custom)
        elif key is not None:
            done(key)

    app.push_screen(Picker(title, options, current if current in keys else CUSTOM), picked)


class OwnPeriod(ChaserScreen):
    """Mixed into a screen whose period follows the app's (``app.period_text``, repainted on
    DataChanged "period") until the user picks another there, which then sticks for that
    screen (``app.screen_periods``, so also when it is opened again) and only there. Picking
    the app's period again follows the app again."""

    @property
    def own_period(self) -> str | None:
        return self.app.screen_periods.get(self.id or "")

    @own_period.setter
    def own_period(self, text: str | None) -> None:
        periods = self.app.screen_periods
        if text is None or text == self.app.period_text:
            periods.pop(self.id or "", None)
        else:
            periods[self.id or ""] = text

    @property
    def period_text(self) -> str:
        return self.own_period or self.app.period_text

    def cut_period(self) -> Period:
        """This screen's period as a Period. A text that no longer parses (a custom range
        that now starts after today: the clock moved) falls back to the app's, then to the
        default: a repaint never fails."""
        from chaser.errors import ChaserError
        from chaser.periods import DEFAULT_PERIOD

        for text in (self.period_text, self.app.period_text, DEFAULT_PERIOD):
            try:
                period = period_choice(self.app, text)
            except ChaserError:
                self.own_period = None
                continue
            return period
        raise AssertionError("unreachable: DEFAULT_PERIOD always parses")

    def period_status(self, period: Period) -> str:
        """"last-month (2026-10-01 – 2026-10-31) (this screen)" when it is not the app's."""
        return describe(period) + (" (this screen)" if self.own_period else "")
