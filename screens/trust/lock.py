"""The lock screen, and the App side of trust: sign-in gate, idle lock, operator on duty.

:class:`TrustApp` is mixed into ``MulinApp``. When the station has operators, the app
opens on the sign-in screen; it locks after ``lock_minutes`` idle (measured on
:mod:`app.clock`, so tests move a fixed clock instead of waiting) and on ctrl+l. While
the gate is up, app-wide keys that would show data (switching screens, the palette,
help) are disabled; only quitting remains.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from textual import events

from app import clock, keymap
from app.i18n import t
from app.services.trust import operators
from screens.trust.signin import SignInScreen

#: App actions still allowed while the sign-in or lock screen is up.
ALLOWED_WHEN_LOCKED = frozenset({"confirm_quit", "quit"})
#: How often (real seconds) the app looks at the idle time.
IDLE_POLL_SECONDS = 10


@keymap.bound
class LockScreen(SignInScreen):
    """已锁定: shows nothing but the operators' names; the PIN unlocks."""

    NAME = "lock"
    KEYS = SignInScreen.KEYS

    def __init__(self) -> None:
        super().__init__(locked=True)


class TrustApp:
    """Mixin for the App: the operator on duty, the gate and the idle lock."""

    settings: Any
    screen: Any
    last_activity: datetime
    gate_up: bool = False

    def init_trust(self, operator: str | None) -> None:
        """Call from ``__init__``: sign ``operator`` in directly (tests), or nobody."""
        self.last_activity = clock.now()
        self.gate_up = False
        if operator:
            operators.sign_in_as(operator)
        else:
            operators.sign_out()

    @property
    def operator_name(self) -> str:
        op = operators.current()
        return op.name if op else ""

    @property
    def operator_role(self) -> str | None:
        return operators.current_role()

    def start_trust(self) -> None:
        """Call from ``on_mount``: the sign-in gate if needed, and the idle watch."""
        app: Any = self
        app.set_interval(IDLE_POLL_SECONDS, self.lock_if_idle)
        if operators.has_operators() and operators.current() is None:
            self._raise_gate(SignInScreen())

    def _raise_gate(self, gate: SignInScreen) -> None:
        app: Any = self
        self.gate_up = True
        app.push_screen(gate, self._gate_done)

    def _gate_done(self, ok: bool | None) -> None:
        self.gate_up = False
        self.last_activity = clock.now()
        screen: Any = self.screen
        if hasattr(screen, "refresh_header"):
            screen.refresh_header()

    def touch(self) -> None:
        self.last_activity = clock.now()

    def idle_for(self) -> timedelta:
        return clock.now() - self.last_activity

    def lock_if_idle(self) -> bool:
        """Lock if idle for ``lock_minutes``; True when it locked."""
        minutes = int(getattr(self.settings, "lock_minutes", 5))
        if self.gate_up or self.idle_for() < timedelta(minutes=minutes):
            return False
        return self.action_lock()

    def action_lock(self) -> bool:
        app: Any = self
        if self.gate_up:
            return False
        if not operators.has_operators():
            app.notify(t("lock.no_operators"), severity="warning")
            return False
        self._raise_gate(LockScreen())
        return True

    def action_history(self) -> None:
        """The history of the record selected on the current screen (``current_record``)."""
        from screens.trust.history import HistoryScreen

        app: Any = self
        record = getattr(self.screen, "current_record", lambda: None)()
        if not record:
            app.notify(t("history.no_record"), severity="warning")
            return
        table, row_id = record
        app.push_screen(HistoryScreen(table, row_id))

    def trust_allows(self, action: str) -> bool:
        return not self.gate_up or action in ALLOWED_WHEN_LOCKED

    async def trust_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown)):
            self.touch()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While the gate is up only quitting works (no screen switch, palette, help)."""
        return self.trust_allows(action)

    async def on_event(self, event: events.Event) -> None:
        await self.trust_event(event)
        await super().on_event(event)  # type: ignore[misc]
