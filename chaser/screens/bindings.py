"""The bindings every screen shares, and the one order of keys in the footer, help (?) and the
command palette: the screen's own keys first, then the table's, then those that work
everywhere. The rules for a Binding are in screens/base.py ("Bindings")."""

from __future__ import annotations

from textual.binding import ActiveBinding, Binding
from textual.screen import Screen

BACK = Binding("escape", "app.back", "Back", id="common.back")
NAV = [
    Binding("l", "app.chase_log", "Chases", id="nav.chase_log", tooltip="Chase log"),
    Binding("k", "app.costs", "Costs", id="nav.costs", tooltip="Costs by team and person"),
    Binding("s", "app.sync", "Sync", id="nav.sync", tooltip="Sync: take a new snapshot"),
    Binding("q", "app.quit", "Quit", id="nav.quit"),
]
# The app's screen keys, repeated hidden on pushed screens: they still work there, but an 80
# column footer has room only for the keys of the screen itself (help and palette list all).
QUIET_NAV = [Binding(b.key, b.action, b.description, show=False, id=b.id, tooltip=b.tooltip)
             for b in NAV]


MOVES = frozenset({"table.up", "table.down", "table.page_up", "table.page_down", "table.first",
                   "table.last"})  # cursor keys: one line in help, never in the palette
GROUPS = ("This screen", "Table", "Everywhere")


def binding_group(screen: Screen, active: ActiveBinding) -> int:
    """0: the screen's own actions; 1: the focused widget's (the table); 2: keys that work
    everywhere (screen keys, help, quit, back)."""
    b = active.binding
    if (b.id or "").startswith(("nav.", "app.", "common.")) or (b.id or "").endswith(".back") \
            or active.node is screen.app:
        return 2
    return 0 if active.node is screen else 1


def ranked_bindings(screen: Screen) -> list[tuple[str, str, Binding]]:
    """(group, key, binding) of chaser's live bindings (those with an id) on ``screen``, in
    the order of the footer, help (?) and the palette: see ``binding_group``."""
    ranked = []
    for key, active in screen.active_bindings.items():
        b = active.binding
        if b.id and b.description and active.enabled:
            ranked.append((binding_group(screen, active), key, b))
    # Stable: within a group, the footer's keys in their declared order, then the hidden ones.
    ranked.sort(key=lambda r: (r[0], not r[2].show))
    return [(GROUPS[g], key, b) for g, key, b in ranked]
