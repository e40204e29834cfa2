"""The 民生清单 funnel per grid and per building: opinions collected → items → done."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from app import keymap
from app.i18n import t
from app.services.civic import counts
from screens.base import MulinScreen
from screens.widgets.virtual_table import Column, ListSource, Row, VirtualTable


@keymap.bound
class FunnelScreen(MulinScreen):
    """Every grid, then every building that has opinions or items."""

    NAME = "civic_funnel"
    KEYS = ("nav.back",)

    def compose_body(self) -> ComposeResult:
        yield Static(id="funnel-total", classes="section-title")
        yield VirtualTable([Column(t("civic.col.scope"), 12), Column(t("civic.col.opinions"), 6),
                            Column(t("civic.col.items"), 6), Column(t("civic.col.done"), 0)],
                           id="funnel-table")

    def on_mount(self) -> None:
        whole = counts.total(self.community_id)
        self.query_one("#funnel-total", Static).update(t(
            "civic.funnel", opinions=whole.opinions, items=whole.items, done=whole.done))
        rows = [Row(f"g{f.short}", [f.key, str(f.opinions), str(f.items), str(f.done)])
                for f in counts.by_place(self.community_id, "grid")]
        rows += [Row(f"b{f.short}", [t("civic.building_n", n=f.key), str(f.opinions),
                                      str(f.items), str(f.done)], style="dim" if not f.items
                     else "") for f in counts.by_place(self.community_id, "building")]
        self.query_one(VirtualTable).set_source(ListSource(rows))
        self.query_one(VirtualTable).focus()

    def action_back(self) -> None:
        self.app.pop_screen()
