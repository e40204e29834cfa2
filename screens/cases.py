"""Cases screen (诉求): open cases, red first, then by time left."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from app import keymap
from app.i18n import t
from app.services import case_views
from screens.base import MulinScreen
from screens.widgets.virtual_table import Column, FuncSource, Row, VirtualTable


def time_left_text(hours: float | None) -> Text:
    if hours is None:
        return Text("—")
    if hours < 0:
        return Text(t("cases.overdue", h=f"{-hours:.0f}"), style="bold red")
    if hours < 24:
        return Text(t("cases.hours_left", h=f"{hours:.0f}"))
    return Text(t("cases.days_left", d=f"{hours / 24:.1f}"))


def case_row(c: case_views.CaseRow) -> Row:
    return Row(c.id, [Text(t(f"colour.{c.colour}")), c.number, t(f"level.{c.level}"), c.grid,
                      t(f"category.{c.category}"), t(f"state.{c.state}"),
                      time_left_text(c.time_left()), c.handler or "—"], style=c.colour)


@keymap.bound
class CasesScreen(MulinScreen):
    """Open cases grouped by colour."""

    NAME = "cases"
    KEYS = ()

    def compose_body(self) -> ComposeResult:
        yield Static(id="cases-summary", classes="section-title")
        yield VirtualTable([Column(t("cases.colour"), 4), Column(t("cases.number"), 16),
                            Column(t("cases.level"), 4), Column(t("cases.grid"), 9),
                            Column(t("cases.category"), 8), Column(t("cases.state"), 6),
                            Column(t("cases.time_left"), 10), Column(t("cases.handler"), 0)],
                           id="cases")

    def on_mount(self) -> None:
        community = self.community_id
        table = self.query_one("#cases", VirtualTable)
        table.set_source(FuncSource(
            lambda: case_views.count_open(community),
            lambda o, n: [case_row(c) for c in case_views.open_page(community, o, n)]))
        self.query_one("#cases-summary", Static).update(t("cases.open_count", n=table.row_count))
        table.focus()
