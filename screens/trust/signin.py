"""Sign-in 登录: pick an operator (↑/↓), type the PIN, Enter.

A full, opaque screen: nothing of the desk behind it shows. The same screen, with
``locked=True``, is the lock screen (screens/trust/lock.py); switching operator at shift
change is ctrl+l, ↓ to the next person, their PIN, Enter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from app import keymap
from app.i18n import t

if TYPE_CHECKING:
    from app.services.trust.roster import OperatorView

# ``app.services.trust.operators`` is imported where it is used: the desk's first frame is
# this screen, drawn before peewee and the models are loaded (issue 16).

# Priority: the focused PIN input would otherwise take ↑/↓ (it scrolls). Enter must NOT
# be a priority binding: it would run before the digits typed just before it arrive.
for _id, _key, _action in (("signin.prev", "up", "prev_operator"),
                           ("signin.next", "down", "next_operator")):
    keymap.KEYS.setdefault(_id, keymap.KeyDef(_key, _action, priority=True))
keymap.define("signin.submit", "enter", "submit")


@keymap.bound
class PinInput(Input):
    """The PIN field: its own Enter submits (in order with the digits) and shows in the
    footer."""

    KEYS = ("signin.submit",)


@dataclass(frozen=True)
class Typed:
    """What was done on a first-frame sign-in before the station was open: carried to
    the sign-in that replaces it (see ``SignInScreen(roster=...)``)."""

    operator_id: str | None
    pin: str
    submitted: bool


@keymap.bound
class SignInScreen(Screen[bool | str]):
    """Choose who you are and prove it with your PIN."""

    NAME = "signin"
    KEYS = ("signin.prev", "signin.next", "signin.submit")
    DEFAULT_CSS = """
    SignInScreen { align: center middle; background: $background; }
    SignInScreen #gate { width: 44; height: auto; border: thick $primary;
                         background: $surface; padding: 1 2; }
    SignInScreen #gate-title { text-style: bold; margin-bottom: 1; }
    SignInScreen OptionList { height: auto; max-height: 8; margin-bottom: 1; }
    SignInScreen #gate-message { color: $error; height: auto; margin-top: 1; }
    SignInScreen #gate-hint { color: $text-muted; height: auto; }
    """

    def __init__(self, locked: bool = False, roster: Sequence[OperatorView] | None = None,
                 typed: Typed | None = None) -> None:
        """``roster``: the desk's first frame, drawn before the station is open
        (``app.services.trust.roster.peek``); keys typed there are kept (:meth:`typed`)
        and carried (``typed``) to the sign-in shown once the station is open."""
        super().__init__()
        self.locked = locked
        self.first_frame = roster is not None
        self.carried = typed
        self.submitted = False
        if roster is None:
            from app.services.trust import operators

            roster = operators.list_operators()
        self.ops = list(roster)

    def compose(self) -> ComposeResult:
        with Vertical(id="gate"):
            yield Static(t("signin.locked" if self.locked else "signin.title"), id="gate-title")
            yield OptionList(*[Option(t("signin.operator", name=o.name,
                                        role=t(f"role.{o.role}")), id=o.id)
                               for o in self.ops], id="gate-operators")
            yield PinInput(placeholder=t("signin.pin"), password=True, max_length=8,
                           id="gate-pin")
            yield Static("", id="gate-message")
            if getattr(self.app, "is_demo", False) and not self.locked:
                yield Static(t("signin.demo_hint"), id="gate-hint")
        yield Footer()

    def on_mount(self) -> None:
        ids = [o.id for o in self.ops]
        chosen = self.carried.operator_id if self.carried else self._on_duty()
        self.query_one(OptionList).highlighted = ids.index(chosen) if chosen in ids else 0
        pin = self.query_one(Input)
        self.set_focus(pin)  # now, not later: keys typed while the desk opened wait for it
        if self.carried:
            pin.value = self.carried.pin
            pin.cursor_position = len(pin.value)
            if self.carried.submitted:
                self.call_after_refresh(self.action_submit)

    def _on_duty(self) -> str | None:
        if self.first_frame:
            return None  # nobody is signed in before the station is open
        from app.services.trust import operators

        current = operators.current()
        return current.id if current else None

    def typed(self) -> Typed:
        """The operator chosen, the PIN typed and whether Enter was pressed, so far."""
        return Typed(self.selected(), self.query_one(Input).value, self.submitted)

    def selected(self) -> str | None:
        options = self.query_one(OptionList)
        index = options.highlighted
        return self.ops[index].id if index is not None and self.ops else None

    def action_next_operator(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_prev_operator(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def select_operator(self, operator_id: str) -> None:
        ids = [o.id for o in self.ops]
        if operator_id in ids:
            self.query_one(OptionList).highlighted = ids.index(operator_id)
        self.query_one(Input).focus()

    def action_submit(self) -> None:
        if self.first_frame:  # the station is not open yet: checked by the next sign-in
            self.submitted = True
            return
        operator_id = self.selected()
        pin_input = self.query_one(Input)
        pin, pin_input.value = pin_input.value, ""
        if operator_id is None:
            return
        self.sign_in_with(operator_id, pin)

    def sign_in_with(self, operator_id: str, pin: str, switched: bool = False) -> None:
        """Check the PIN; on success close the gate (``"switched"``: someone else)."""
        from app.services.trust import operators

        message = self.query_one("#gate-message", Static)
        try:
            operators.sign_in(operator_id, pin)
        except operators.SignInLocked as exc:
            message.update(t("signin.wait", s=exc.seconds))
            return
        except operators.WrongPin as exc:
            message.update(t("signin.wrong", left=exc.left) if exc.left
                           else t("signin.wrong_locked"))
            return
        except operators.OperatorError:
            message.update(t("signin.no_operator"))
            return
        self.dismiss("switched" if switched else True)
