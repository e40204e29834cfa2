"""A short list to pick one value from: arrows and Enter choose, Esc cancels (``None``)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from app.i18n import t


class ChoiceDialog(ModalScreen[str | None]):
    """Choose one of ``options`` (value, label); the current value is highlighted."""

    BINDINGS = [Binding("escape", "cancel", t("keys.nav.back"))]

    def __init__(self, question: str, options: list[tuple[str, str]],
                 current: str = "") -> None:
        super().__init__()
        self.question, self.options, self.current = question, options, current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="dialog-question")
            yield OptionList(*(Option(label, id=value) for value, label in self.options),
                             id="choice")

    def on_mount(self) -> None:
        choice = self.query_one(OptionList)
        values = [v for v, _ in self.options]
        choice.highlighted = values.index(self.current) if self.current in values else 0
        choice.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
