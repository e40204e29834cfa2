"""Sign-in 登录: pick an operator (↑/↓), type the PIN, Enter.

A full, opaque screen: nothing of the desk behind it shows. The same screen, with
``locked=True``, is the lock screen (screens/trust/lock.py); switching operator at shift
change is ctrl+l, ↓ to the next person, their PIN, Enter.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from app import keymap
from app.i18n import t
from app.services.trust import operators

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

    def __init__(self, locked: bool = False) -> None:
        super().__init__()
        self.locked = locked
        self.ops = operators.list_operators()

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
        current = operators.current()
        options = self.query_one(OptionList)
        ids = [o.id for o in self.ops]
        options.highlighted = ids.index(current.id) if current and current.id in ids else 0
        self.query_one(Input).focus()

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
        operator_id = self.selected()
        pin_input = self.query_one(Input)
        pin, pin_input.value = pin_input.value, ""
        if operator_id is None:
            return
        self.sign_in_with(operator_id, pin)

    def sign_in_with(self, operator_id: str, pin: str, switched: bool = False) -> None:
        """Check the PIN; on success close the gate (``"switched"``: someone else)."""
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
