"""Keys in order: a key press is routed only once the one before it has been handled.

Textual routes a key to the widget that has the focus at the moment the app reads it, and
handles it later, in that widget's queue and then (bubbling) in its parents' and the app's,
where the bindings run. In a burst (a fast typist, a macro, ``tmux send-keys c 1 2 Tab Space``)
the next key is therefore routed before the one before it has done its work: after ``c`` opens
the log-chase modal, ``1 2`` still go to the table underneath; after ``tab`` moves the focus,
``space`` still lands in the field it left. Typing ahead must mean what it means slowly.

So the app keeps the keys it reads in a backlog and routes one at a time. After routing a key
it posts a ``KeyHandled`` marker to the same widget: the marker has no handler, so it bubbles
up the same path right behind the key and reaches the app only after the key has been handled
everywhere (bindings included). If the screen changed meanwhile, a second marker goes through
the new screen's queue, so the screen has composed and mounted and set its focus before the
next key is routed. Hence the one rule for screens: set the focus in ``on_mount``, with no
``await`` or worker before it.

A marker can be lost (its widget removed mid-way); after ``PATIENCE`` seconds the next key goes
anyway, as Textual would have sent it. Mouse events and pastes are not held back.
"""

from __future__ import annotations

from collections import deque
from itertools import count
from time import monotonic

from textual import events
from textual.app import App
from textual.message import Message
from textual.screen import Screen

PATIENCE = 0.5  # seconds to wait for a key's marker before routing the next key anyway


class KeyHandled(Message):
    """Follows a routed key up the DOM; when it reaches the app, that key is done."""

    def __init__(self, token: int, screen: Screen | None) -> None:
        super().__init__()
        self.token = token
        self.screen = screen  # the screen the key was routed on (None: a readiness marker)


class OrderedKeys(App):
    """Base of ChaserApp (``class ChaserApp(Undoes, OrderedKeys, App)``): see the module
    docstring."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._key_backlog: deque[events.Key] = deque()
        self._key_waiting: int | None = None  # the token of the marker we wait for
        self._key_current: events.Key | None = None  # the key it follows, and its screen
        self._key_screen: Screen | None = None
        self._key_since = 0.0
        self._key_tokens = count(1)
        self._key_watchdog = False

    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, events.Key):
            await super().on_event(event)
            return
        if event.is_forwarded:  # the key bubbled up to the app: its bindings run now
            await super().on_event(event)
            if event is self._key_current and self._key_waiting is not None:
                # Handled: no need to wait for the marker (which a closing screen may drop).
                await self._handled(self._key_screen)
            return
        self._key_backlog.append(event)
        if self._key_waiting is not None and monotonic() - self._key_since > PATIENCE:
            self._key_waiting = None  # the marker was lost: do not hold the keys for ever
        if self._key_waiting is None:
            await self._route_keys()
        elif not self._key_watchdog:
            self._key_watchdog = True
            self.set_timer(PATIENCE, self._watch_keys)

    async def _route_keys(self) -> None:
        while self._key_backlog and self._key_waiting is None:
            key = self._key_backlog.popleft()
            try:
                screen = self.screen
            except Exception:  # noqa: BLE001 - no screen: the app is closing
                return
            target = self.focused or screen
            self._key_current, self._key_screen = key, screen
            await super().on_event(key)  # priority bindings, then routing
            self._wait_for(target, screen)

    def _wait_for(self, node, screen: Screen | None) -> None:
        token = next(self._key_tokens)
        if node.post_message(KeyHandled(token, screen)):
            self._key_waiting, self._key_since = token, monotonic()
        else:
            self._key_waiting = None

    async def on_key_handled(self, message: KeyHandled) -> None:
        if message.token == self._key_waiting:  # else: overtaken (see on_event, watchdog)
            await self._handled(message.screen)

    async def _handled(self, routed_on: Screen | None) -> None:
        """The key routed last (on `routed_on`; None: a readiness marker) is done."""
        self._key_waiting = self._key_current = None
        try:
            screen = self.screen
        except Exception:  # noqa: BLE001 - no screen: the app is closing
            return
        if routed_on is not None and (screen is not routed_on or not screen.is_mounted):
            self._wait_for(screen, None)  # behind its Compose, Mount (focus) or Resume
            if self._key_waiting is not None:
                return
        await self._route_keys()

    async def _watch_keys(self) -> None:
        self._key_watchdog = False
        if not self._key_backlog:
            return
        if self._key_waiting is not None and monotonic() - self._key_since <= PATIENCE:
            self._key_watchdog = True
            self.set_timer(PATIENCE, self._watch_keys)
            return
        self._key_waiting = None
        await self._route_keys()
