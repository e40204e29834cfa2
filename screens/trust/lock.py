"""The lock screen, and the App side of trust: sign-in gate, idle lock, operator on duty.

:class:`TrustApp` is mixed into ``MulinApp``. When the station has operators, the app
opens on the sign-in screen; it locks after ``lock_minutes`` idle (measured on
:mod:`app.clock`, so tests move a fixed clock instead of waiting) and on ctrl+l. While
the gate is up, app-wide keys that would show data (switching screens, the palette,
help) are disabled; only quitting remains.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from textual import events
from textual.widgets import Input

from app import clock, keymap
from app.i18n import t
from screens.dialogs import ConfirmDialog
from screens.trust.signin import SignInScreen, Typed

if TYPE_CHECKING:
    from textual.widget import AwaitMount

# ``app.services.trust.operators`` is imported in the methods that use it: the desk's
# first frame, the sign-in, is drawn before peewee and the models are loaded (issue 16).

#: App actions still allowed while the sign-in or lock screen is up.
ALLOWED_WHEN_LOCKED = frozenset({"confirm_quit", "quit"})
#: How often (real seconds) the app looks at the idle time.
IDLE_POLL_SECONDS = 10


@keymap.bound
class LockScreen(SignInScreen):
    """已锁定: shows nothing but the operators' names; the PIN unlocks.

    It covers whatever was open (a form, a dropdown, the find box), which comes back
    with its typed text after unlocking. Someone else signing in at the lock (shift
    change) first confirms that the open dialogs are discarded: another operator never
    inherits a form under their name. Dismissed with ``"switched"`` in that case.
    """

    NAME = "lock"
    KEYS = SignInScreen.KEYS

    def __init__(self, dialogs: int = 0) -> None:
        super().__init__(locked=True)
        self.dialogs = dialogs  # screens open above the desk, discarded on a switch

    def action_submit(self) -> None:
        from app.services.trust import operators

        current = operators.current()
        chosen = self.selected()
        if not self.dialogs or current is None or chosen in (None, current.id):
            super().action_submit()
            return
        pin_input = self.query_one(Input)
        pin, pin_input.value = pin_input.value, ""

        def answer(yes: bool | None) -> None:
            if yes:
                self.sign_in_with(chosen, pin, switched=True)
            else:
                self.select_operator(current.id)

        self.app.push_screen(ConfirmDialog(t("lock.discard", n=self.dialogs)), answer)


class TrustApp:
    """Mixin for the App: the operator on duty, the gate and the idle lock."""

    settings: Any
    screen: Any
    last_activity: datetime
    gate_up: bool = False

    def init_trust(self, operator: str | None) -> None:
        """Call from ``__init__``: sign ``operator`` in directly (tests), or nobody."""
        from app.services.trust import operators

        self.last_activity = clock.now()
        self.gate_up = False
        #: the first frame is the sign-in (the desk's screens may wait for it, issue 16)
        self.gate_first = not operator and operators.has_operators()
        if operator:
            operators.sign_in_as(operator)
        else:
            operators.sign_out()

    @property
    def operator_name(self) -> str:
        from app.services.trust import operators

        op = operators.current()
        return op.name if op else ""

    @property
    def operator_role(self) -> str | None:
        from app.services.trust import operators

        return operators.current_role()

    def init_gate_first(self) -> None:
        """Instead of :meth:`init_trust` when the station opens after the first frame:
        the gate is up from the start, nobody signed in (``app.tui.SignInFirstApp``)."""
        self.last_activity = clock.now()
        self.gate_up = True
        self.gate_first = True

    def start_trust(self, typed: Typed | None = None) -> AwaitMount | None:
        """Call once the station is open: the sign-in gate if needed (with what was
        ``typed`` on a first-frame sign-in; awaitable until it can take keys), and the
        idle watch."""
        from app.services.trust import operators

        app: Any = self
        app.set_interval(IDLE_POLL_SECONDS, self.lock_if_idle)
        if operators.has_operators() and operators.current() is None:
            return self._raise_gate(SignInScreen(typed=typed))
        self.gate_up = False
        return None

    def _raise_gate(self, gate: SignInScreen) -> AwaitMount:
        app: Any = self
        self.gate_up = True
        mounted: AwaitMount = app.push_screen(gate, self._gate_done)
        return mounted

    def _gate_done(self, result: bool | str | None) -> None:
        self.gate_up = False
        self.last_activity = clock.now()
        if result == "switched":
            self._discard_dialogs()
        screen: Any = self.screen
        if hasattr(screen, "refresh_header"):
            screen.refresh_header()

    def _open_above_desk(self) -> int:
        app: Any = self
        return max(0, len(app.screen_stack) - 1)

    def _discard_dialogs(self) -> None:
        """Back to the desk screen of the current mode: what the previous operator had
        open is closed without saving (their dismiss callbacks never run)."""
        app: Any = self
        while len(app.screen_stack) > 1:
            app.pop_screen()

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
        from app.services.trust import operators

        app: Any = self
        if self.gate_up:
            return False
        if not operators.has_operators():
            app.notify(t("lock.no_operators"), severity="warning")
            return False
        app.clear_notifications()  # a toast may name a resident
        self._raise_gate(LockScreen(self._open_above_desk()))
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
