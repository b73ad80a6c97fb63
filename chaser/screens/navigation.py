"""Screens by name, imported on first use so that start-up pays only for the overview (see
screens/base.py, "Navigation")."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

# name -> (module, class): imported on first use so start-up pays only for the overview.
SCREENS: dict[str, tuple[str, str]] = {
    "chase_log": ("chaser.screens.chases", "ChaseLogScreen"),
    "costs": ("chaser.screens.costs", "CostsScreen"),
    "sync": ("chaser.screens.sync", "SyncScreen"),
    "help": ("chaser.modals.help", "HelpScreen"),
    "person": ("chaser.screens.person", "PersonScreen"),
}


def open_screen(app: App, name: str, **kwargs: Any) -> Screen | None:
    module, cls_name = SCREENS[name]
    try:
        cls = getattr(importlib.import_module(module), cls_name)
    except ModuleNotFoundError as e:
        if e.name != module:
            raise
        app.notify(f"The {name.replace('_', ' ')} screen is not available in this build.",
                   severity="warning")
        return None
    if type(app.screen) is cls and not kwargs:
        return None
    screen = cls(**kwargs)
    app.push_screen(screen)
    return screen
