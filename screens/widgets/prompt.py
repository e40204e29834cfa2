"""A one-line question: type, Enter answers, Esc cancels (``None``); :class:`SavingPrompt`
saves the answer before it closes, and a refusal keeps it open with the reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from app.i18n import t


class PromptDialog(ModalScreen[str | None]):
    """Ask for one line of text."""

    BINDINGS = [Binding("escape", "cancel", t("keys.nav.back"))]

    def __init__(self, question: str, value: str = "") -> None:
        super().__init__()
        self.question, self.value = question, value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="dialog-question")
            yield Input(self.value, id="prompt-input")
            yield Static(t("form.prompt_hint"), classes="help-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class SavingPrompt(PromptDialog):
    """A one-line question whose answer is saved before the dialog closes.

    Enter runs ``save(text)`` (through :func:`screens.busy.save`, so it waits for an
    import holding the database). ``reason(exc)`` turns the service's refusal into one
    line (None: not a refusal, re-raised); a refused save keeps the dialog open with the
    reason under the field and what was typed. Dismisses with ``save``'s result.
    """

    DEFAULT_CSS = """
    SavingPrompt #prompt-error { color: $error; height: auto; }
    SavingPrompt #prompt-error.-empty { display: none; }
    """

    def __init__(self, question: str, value: str, save: Callable[[str], Any],
                 reason: Callable[[Exception], str | None]) -> None:
        super().__init__(question, value)
        self.save, self.reason = save, reason

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="dialog-question")
            yield Input(self.value, id="prompt-input")
            yield Static("", id="prompt-error", classes="-empty")
            yield Static(t("form.prompt_hint"), classes="help-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        from screens import busy  # lazy: busy's wait dialog is not needed to ask

        event.prevent_default()  # not PromptDialog's answer-and-close
        text, save = event.value.strip(), self.save
        busy.save(self, lambda: save(text), self.dismiss, self._refused)

    def _refused(self, exc: Exception) -> bool:
        why = self.reason(exc)
        if why is None:
            return False
        error = self.query_one("#prompt-error", Static)
        error.update(why)
        error.remove_class("-empty")
        self.query_one(Input).focus()
        return True
