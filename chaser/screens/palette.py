"""The command palette provider: every live binding of the screen underneath (so every action
has a palette entry without a second list to keep in step), plus people, teams and periods.

Entries are the screen's own actions first, then the table's, then the app-wide keys (the
order of help). Names come from the CRM, so every entry is plain text, never markup."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher
from textual.markup import escape

from chaser.periods import PRESETS
from chaser.screens.bindings import MOVES, ranked_bindings
from chaser.widgets.table import VirtualTable
from chaser.words import plural

if TYPE_CHECKING:
    from chaser.app import ChaserApp


def highlight(matcher: Matcher, text: str) -> Content:
    """The matched letters highlighted in `text`, which is taken literally (a person named
    "[b]x" shows as written; Matcher.highlight would parse it as markup)."""
    content = Content(text)
    score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    if score:
        for offset in offsets:
            if not text[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class ChaserCommands(Provider):
    if TYPE_CHECKING:
        @property
        def app(self) -> ChaserApp: ...

    def _commands(self) -> Iterator[tuple[str, Callable, str]]:
        """(text, callback, help) for everything reachable from the current screen."""
        app, screen = self.app, self.screen
        seen: set[str] = set()
        for _group, key, binding in ranked_bindings(screen):
            if binding.system or binding.action in seen or binding.id in MOVES \
                    or binding.action.startswith("command_palette") \
                    or binding.id.startswith("table.sort"):
                continue  # sorting is offered below, by column name; moving is for keys
            seen.add(binding.action)
            node = screen.active_bindings[key].node
            key_text = f"key: {binding.key_display or app.get_key_display(binding)}"
            if binding.tooltip and binding.tooltip != binding.description:
                key_text += f" · {binding.tooltip}"
            yield (binding.description, partial(app.run_action, binding.action, node),
                   key_text)
        table = screen.focused
        if isinstance(table, VirtualTable):
            for col in table.columns:
                yield (f"Sort by {col.label}", partial(table.sort_by, col.key),
                       "the same again reverses")
        data = app.data
        if data is None:
            return
        for row in data.rows:
            p = row.person
            yield (f"Open person: {p.name}", partial(app.open_person, p.key),
                   f"{p.team} · {row.tier.value} · "
                   f"{plural(row.tally.records_with_gaps, 'record')} with gaps")
        overview = next((s for s in app.screen_stack if s.id == "overview"), None)
        if overview is not None:
            for team in ["*", *data.teams]:
                label = "all teams" if team == "*" else team
                yield (f"Filter team: {label}", partial(self._team, overview, team),
                       "people table on the overview")
        # The app's period (as `p` on the overview): a screen that picked its own keeps it.
        for text, label in PRESETS:
            yield (f"Period: {text}", partial(app.set_period, text),
                   f"{label}: the overview, costs and chase log")
        yield ("Period: pick one or a custom range…", self._custom_period,
               "any days, month, quarter or year")

    def _custom_period(self) -> None:
        from chaser.screens.periods import pick_period

        pick_period(self.app, "Period of every screen", self.app.period_text,
                    self.app.set_period)

    def _team(self, overview, team: str) -> None:
        while self.app.screen is not overview and len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        overview.set_team(team)

    async def discover(self) -> Hits:
        for text, command, help_text in self._commands():
            if text.startswith(("Open person:", "Filter team:", "Period:", "Sort by")):
                continue  # the list would drown the actions; typing finds them
            yield DiscoveryHit(Content(text), command, text=text, help=escape(help_text))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, command, help_text in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, highlight(matcher, text), command, text=text,
                          help=escape(help_text))
