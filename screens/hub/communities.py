"""F2 at the street desk: every joined community side by side for this month."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from app import keymap
from app.i18n import t
from app.services.cases.metrics import percent
from app.services.hub import desk
from screens.hub.loading import HubScreen

COLUMNS = ("community", "received", "response", "resolution", "satisfaction", "grid",
           "red", "overdue", "street", "trend")


@keymap.bound
class CommunitiesScreen(HubScreen):
    """The three rates, 小事不出网格, red and overdue counts and the trend, per community."""

    NAME = "hub_communities"
    KEYS: ClassVar[tuple[str, ...]] = ("nav.refresh",)
    TITLE_ID = "hub-period"

    def compose_body(self) -> ComposeResult:
        yield Static("", id="hub-period", classes="section-title")
        table: DataTable[str] = DataTable(id="hub-communities", cursor_type="row",
                                          zebra_stripes=True)
        for name in COLUMNS:
            table.add_column(t(f"hub.col.{name}"), key=name)
        yield table

    def ready(self) -> Any:
        return desk.first_figures()

    def fetch(self) -> Any:
        return desk.figures()

    def show(self, data: Any) -> None:
        period, rows = data
        self.query_one("#hub-period", Static).update(
            t("hub.desk.period", month=period.label, n=len(rows)))
        table = self.query_one(DataTable)
        table.clear()
        for f in rows:
            r = f.rates
            table.add_row(f.name, str(r.received), percent(r.on_time_response_rate),
                          percent(r.on_time_resolution_rate), percent(r.satisfaction_rate),
                          percent(r.within_grid_rate), str(f.red_open), str(f.overdue),
                          str(f.at_street), f.trend, key=f.community_id)
