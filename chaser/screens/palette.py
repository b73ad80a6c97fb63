"""The command palette provider: every live binding of the screen underneath (so every action
has a palette entry without a second list to keep in step), plus people, teams and periods."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from chaser.widgets.table import VirtualTable

PERIODS = ("this-month", "last-month", "this-week", "last-7d", "last-30d", "last-90d",
           "this-quarter")


class ChaserCommands(Provider):
    def _commands(self) -> Iterator[tuple[str, Callable, str]]:
        """(text, callback, help) for everything reachable from the current screen."""
        app, screen = self.app, self.screen
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if not active.enabled or not binding.description or binding.system:
                continue
            if binding.action in seen or binding.action.startswith("command_palette") \
                    or (binding.id or "").startswith("table.sort"):
                continue  # sorting is offered below, by column name
            seen.add(binding.action)
            key = binding.key_display or binding.key
            yield (binding.description, partial(app.run_action, binding.action, active.node),
                   f"key: {key}")
        table = screen.focused
        if isinstance(table, VirtualTable):
            for col in table.columns:
                yield (f"Sort by {col.label}", partial(table.sort_by, col.key),
                       "the same again reverses")
        data = getattr(app, "data", None)
        if data is None:
            return
        for row in data.rows:
            p = row.person
            yield (f"Open person: {p.name}", partial(app.open_person, p.key),
                   f"{p.team} · {row.tier.value} · {row.tally.records_with_gaps:,} records with gaps")
        overview = next((s for s in app.screen_stack if s.id == "overview"), None)
        if overview is not None:
            for team in ["*", *data.teams]:
                label = "all teams" if team == "*" else team
                yield (f"Filter team: {label}", partial(self._team, overview, team),
                       "people table on the overview")
        for period in PERIODS:
            yield (f"Period: {period}", partial(app.set_period, period),
                   "chases and costs in the overview")

    def _team(self, overview, team: str) -> None:
        while self.app.screen is not overview and len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        overview.set_team(team)

    async def discover(self) -> Hits:
        for text, command, help_text in self._commands():
            if text.startswith(("Open person:", "Filter team:", "Period:", "Sort by")):
                continue  # the list would drown the actions; typing finds them
            yield DiscoveryHit(text, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, command, help_text in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), command, text=text, help=help_text)
