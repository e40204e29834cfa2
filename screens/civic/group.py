"""Grouping 归类: the opinion at hand, and the items and loose opinions like it (scored by
characters and pinyin). Space marks loose opinions to take along; Enter on an item adds
them all to it; ``n`` makes a new item of them. Dismisses with the item id, or None.
"""

from __future__ import annotations

from rich.markup import escape
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from app import keymap
from app.i18n import t
from app.services.civic import grouping, items, opinions
from screens import busy
from screens.civic.item_form import ItemFormScreen
from screens.widgets.virtual_table import Column, ListSource, Row, VirtualTable

keymap.define("group.mark", "space", "mark")
keymap.define("group.join", "enter", "join", priority=True)
keymap.define("group.new", "n", "new_item")


@keymap.bound
class GroupScreen(ModalScreen[str | None]):
    """Suggestions for one opinion; the operator confirms."""

    KEYS = ("group.mark", "group.join", "group.new", "pform.cancel")
    DEFAULT_CSS = """
    GroupScreen { align: center middle; }
    GroupScreen > Vertical { width: 90%; height: 80%; border: thick $primary;
                             background: $surface; padding: 0 1; }
    GroupScreen #group-opinion { height: auto; margin-bottom: 1; }
    """

    def __init__(self, community_id: str, opinion_id: str) -> None:
        super().__init__()
        self.community_id, self.opinion_id = community_id, opinion_id
        self.marked: set[str] = set()
        self.suggestions: list[grouping.Suggestion] = []

    def compose(self) -> ComposeResult:
        me = opinions.view(self.opinion_id)
        with Vertical():
            yield Static(t("civic.group.title", building=me.building, place=me.place or "—",
                           text=escape(me.content)), id="group-opinion")
            yield VirtualTable([Column(" ", 2), Column(t("civic.col.kind"), 6),
                                Column(t("civic.col.score"), 5),
                                Column(t("civic.col.text"), 0)], id="group-table")
            yield Static(t("civic.group.hint"), classes="form-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(VirtualTable).focus()
        self._suggest(self.opinion_id)

    @work(thread=True, exclusive=True, group="civic-suggest")
    def _suggest(self, opinion_id: str) -> None:
        """Pinyin and similarity over the community's opinions: off the UI thread."""
        found = grouping.suggest_in_thread(opinion_id)
        self.app.call_from_thread(self._loaded, found)

    def _loaded(self, found: list[grouping.Suggestion]) -> None:
        self.suggestions = found
        self._draw()

    def _draw(self) -> None:
        rows = [Row(s.id, ["✓" if s.id in self.marked else "",
                           t(f"civic.group.{s.kind}"), f"{s.score:.0%}", s.text],
                    style="" if s.kind == "item" else "dim" if s.id not in self.marked else "")
                for s in self.suggestions]
        self.query_one(VirtualTable).set_source(ListSource(rows), keep_cursor=True)

    def _current(self) -> grouping.Suggestion | None:
        row = self.query_one(VirtualTable).current_row
        return next((s for s in self.suggestions if row and s.id == row.key), None)

    def action_mark(self) -> None:
        s = self._current()
        if s is None or s.kind != "opinion":
            return
        self.marked.symmetric_difference_update({s.id})
        self._draw()

    def action_join(self) -> None:
        s = self._current()
        if s is None or s.kind != "item":
            self.action_new_item()
            return
        def refused(exc: Exception) -> bool:
            if not isinstance(exc, items.CivicError):
                return False
            self.notify(t(f"civic.err.{next(iter(exc.errors.values()))}"), severity="error")
            return True

        def joined(_: object) -> None:
            self.notify(t("civic.grouped", title=s.text, rank=items.rank_of(s.id)))
            self.dismiss(s.id)

        ids = [self.opinion_id, *sorted(self.marked)]  # waits for an import (issue 18)
        busy.save(self, lambda: items.add_opinions(s.id, ids), joined, refused)

    def action_new_item(self) -> None:
        me = opinions.view(self.opinion_id)
        title = grouping.suggested_title(me.content)

        def done(item_id: str | None) -> None:
            if item_id:
                self.dismiss(item_id)

        self.app.push_screen(ItemFormScreen(self.community_id,
                                            opinion_ids=[self.opinion_id, *sorted(self.marked)],
                                            title=title), done)

    def action_cancel(self) -> None:
        self.dismiss(None)
