"""KeyFooter: a footer that shows whole keys only, the screen's own first, and `?` for the rest.

Textual's Footer lays every key out in a row and crops it at the edge, so at 60 columns the
last keys read "s Sy" and "esc Bac". This one keeps the order of `Screen.active_bindings`
(chaser's screens rank their own actions first, then the table's, then the app-wide keys:
screens/bindings.ranked_bindings), shows each key only if it fits whole, and keeps `? Help` at
the end; when a key had to be left out it reads `? More`, and help (?) lists every key.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

HELP_ACTIONS = frozenset({"app.help", "help"})


def key_cells(key: str, description: str) -> int:
    """Cells one FooterKey takes: " key " then "description " (Footer's default padding)."""
    return len(key) + 2 + len(description) + 1


class KeyFooter(Footer):
    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        # No ctrl+p key: 80 columns are few, and help lists the palette.
        super().__init__(id=id, classes=classes, show_command_palette=False)
        self._for_width = 0
        self.left_out: list[str] = []  # descriptions of the keys that did not fit (for tests)

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        width = self._for_width = self.size.width or self.app.size.width
        seen: set[str] = set()
        keys, help_key = [], None
        for _node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue  # as Footer: one key per action
            seen.add(binding.action)
            item = (binding, enabled, tooltip, self.app.get_key_display(binding))
            if binding.action in HELP_ACTIONS:
                help_key = item
            else:
                keys.append(item)
        room = width - (key_cells(help_key[3], "More") if help_key else 0)
        shown, self.left_out = [], []
        for item in keys:
            binding, _enabled, _tooltip, display = item
            cells = key_cells(display, binding.description)
            if cells <= room:  # a wide key left out may leave room for a narrower one
                shown.append(item)
                room -= cells
            else:
                self.left_out.append(binding.description)
        if help_key is not None:
            binding, enabled, tooltip, display = help_key
            help_key = (binding, enabled, tooltip or "Every key of this screen", display)
            shown.append(help_key)
        for binding, enabled, tooltip, display in shown:
            description = binding.description
            if binding.action in HELP_ACTIONS and self.left_out:
                description = "More"  # the keys not shown are in help
            yield FooterKey(binding.key, display, description, binding.action,
                            disabled=not enabled, tooltip=tooltip).data_bind(
                                compact=Footer.compact)

    def on_resize(self, event: events.Resize) -> None:
        if self._bindings_ready and event.size.width != self._for_width:
            self.call_after_refresh(self.recompose)
