"""The resident picker shared by every form that names a resident (intake's reporter,
a mediation's party): the hits of the one lookup
(:func:`app.services.search.residents.find_residents`: name, pinyin, initials, phone tail,
building-unit-room) listed under the field being typed, picked with Enter."""

from __future__ import annotations

from textual import on
from textual.message import Message
from textual.widget import Widget
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from app.services.search.residents import ResidentChoice, find_residents


class ResidentHits(OptionList):
    """The hits under a field; a pick posts :class:`ResidentHits.Picked`."""

    class Picked(Message):
        def __init__(self, hits: ResidentHits, choice: ResidentChoice) -> None:
            super().__init__()
            self.hits, self.choice = hits, choice

        @property
        def control(self) -> ResidentHits:
            return self.hits

    def __init__(self, id: str) -> None:  # noqa: A002 - Textual's name for it
        super().__init__(id=id, classes="hits")
        self.found: list[ResidentChoice] = []

    @staticmethod
    def under(screen: Widget, field: Widget) -> ResidentHits | None:
        """The picker of a form field ``f-N`` (its id ``h-N``), if it has one."""
        found = screen.query(f"#h-{(field.id or '')[2:]}") if field.id else None
        return found.first(ResidentHits) if found else None

    def on_mount(self) -> None:
        self.display = False

    def find(self, text: str) -> list[ResidentChoice]:
        """List the residents matching ``text`` (hidden when none)."""
        self.found = find_residents(text)
        self.clear_options()
        self.add_options([Option(h.label, id=str(i)) for i, h in enumerate(self.found)])
        self.display = bool(self.found)
        if self.found:
            self.highlighted = 0
        return self.found

    def submit(self) -> bool:
        """Enter in the field: one hit is taken, several put focus on the list.
        False when there is nothing to pick (the form goes on)."""
        if len(self.found) == 1:
            self.take(self.found[0])
        elif self.found:
            self.focus()
        return bool(self.found)

    def take(self, choice: ResidentChoice) -> None:
        self.display = False
        self.post_message(self.Picked(self, choice))

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.take(self.found[int(event.option.id or 0)])
