"""Building ledger screen (一楼栋一账本): one building's book."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from app import keymap
from app.i18n import t
from app.services import places
from screens.base import MulinScreen
from screens.widgets.virtual_table import Column, FuncSource, Row, VirtualTable


@keymap.bound
class LedgerScreen(MulinScreen):
    """The building header and its households."""

    NAME = "ledger"
    KEYS = ("nav.back",)

    def compose_body(self) -> ComposeResult:
        yield Static(id="ledger-header", classes="panel-header")
        yield Static(id="ledger-section", classes="section-title")
        yield VirtualTable([Column(t("ledger.unit"), 4), Column(t("ledger.room"), 6),
                            Column(t("ledger.head"), 10), Column(t("ledger.members"), 4),
                            Column(t("ledger.phone"), 13), Column(t("ledger.tags"), 0)],
                           id="households")

    def on_mount(self) -> None:
        building = self.mulin.selected_building
        if building is None:
            first = places.buildings(self.community_id)
            building = first[0].id if first else None
        if building:
            self.show_building(building)
        self.query_one("#households", VirtualTable).focus()

    def show_building(self, building_id: str) -> None:
        h = places.building_header(building_id)
        self.query_one("#ledger-header", Static).update(t(
            "ledger.header", number=h.number, address=h.address, quarter=h.quarter or "—",
            units=h.units, floors=h.floors, year=h.year_built or "—",
            company=h.property_company or "—", grid=h.grid))
        source = FuncSource(
            lambda: places.count_households(building_id),
            lambda o, n: [Row(x.id, [str(x.unit or ""), x.room, x.head, str(x.members),
                                     x.phone, x.tags])
                          for x in places.households_page(building_id, o, n)])
        table = self.query_one("#households", VirtualTable)
        table.set_source(source)
        self.query_one("#ledger-section", Static).update(
            t("ledger.households_count", n=table.row_count))

    def action_back(self) -> None:
        self.mulin.switch_mode("map")
