"""Loose opinions 未归类意见: opinions of the community not yet in any item, newest first.
Enter opens the grouping suggestions for the highlighted one."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from app import keymap, labels
from app.i18n import t
from app.services.civic import opinions
from screens.base import MulinScreen
from screens.civic.group import GroupScreen
from screens.widgets.virtual_table import Column, ListSource, Row, VirtualTable


def opinion_row(o: opinions.OpinionView) -> Row:
    return Row(o.id, [o.collected_on.isoformat(), o.building, o.place or t("civic.anonymous"),
                      labels.field("opinion", "source", o.channel), o.content])


@keymap.bound
class LooseOpinionsScreen(MulinScreen):
    """Opinions waiting to be grouped into the 民生清单."""

    NAME = "civic_loose"
    KEYS = ("nav.open", "nav.back")

    def compose_body(self) -> ComposeResult:
        yield Static(id="loose-summary", classes="section-title")
        yield VirtualTable([Column(t("civic.col.date"), 10), Column(t("civic.col.building"), 5),
                            Column(t("civic.col.place"), 7), Column(t("civic.col.channel"), 8),
                            Column(t("civic.col.text"), 0)], id="loose-table")

    def on_mount(self) -> None:
        self.reload()
        self.query_one(VirtualTable).focus()

    def reload(self) -> None:
        ids = opinions.ungrouped(self.community_id)
        self.query_one(VirtualTable).set_source(
            ListSource([opinion_row(o) for o in opinions.views(ids)]), keep_cursor=True)
        self.query_one("#loose-summary", Static).update(t("civic.loose", n=len(ids)))

    def on_virtual_table_chosen(self, event: VirtualTable.Chosen) -> None:
        self.action_open()

    def action_open(self) -> None:
        row = self.query_one(VirtualTable).current_row
        if row is not None:
            self.app.push_screen(GroupScreen(self.community_id, row.key),
                                 lambda _item: self.reload())

    def action_back(self) -> None:
        self.app.pop_screen()
