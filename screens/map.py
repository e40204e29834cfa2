"""Grid map screen (网格地图): grids, their buildings, and what is going on in each."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from app import keymap
from app.i18n import t
from app.services import places
from screens.base import MulinScreen
from screens.widgets.virtual_table import Column, ListSource, Row, VirtualTable


def _colours(counts: dict[str, int]) -> str:
    return " ".join(f"{t(f'colour.{c}')}{counts.get(c, 0)}" for c in places.COLOURS)


@keymap.bound
class MapScreen(MulinScreen):
    """Grids on the left, the selected grid's buildings, and a side panel."""

    NAME = "map"
    KEYS = ("nav.open", "nav.next_section", "nav.prev_section")

    def compose_body(self) -> ComposeResult:
        with Horizontal():
            yield VirtualTable([Column(t("map.grid"), 10), Column(t("map.households"), 6)],
                               id="grids", classes="narrow")
            yield VirtualTable([Column(t("map.building"), 8), Column(t("map.households"), 6),
                                Column(t("map.residents"), 6), Column(t("map.worst"), 0)],
                               id="buildings")
            with Vertical(id="side"):
                yield Static(id="side-panel")

    def on_mount(self) -> None:
        self.grid_views = places.grids(self.community_id)
        rows = [Row(g.id, [g.name, str(g.households)]) for g in self.grid_views]
        self.query_one("#grids", VirtualTable).set_source(ListSource(rows))
        self.query_one("#grids", VirtualTable).focus()

    def on_virtual_table_highlighted(self, event: VirtualTable.Highlighted) -> None:
        if event.row is None:
            return
        if event.table.id == "grids":
            self._show_grid(event.row.key)
        else:
            self._show_building(event.row.key)

    def _show_grid(self, grid_id: str) -> None:
        grid = next(g for g in self.grid_views if g.id == grid_id)
        self.building_views = places.buildings(self.community_id, grid_id)
        rows = [Row(b.id, [b.name or b.number, str(b.households), str(b.residents),
                           t(f"colour.{b.worst_colour}") if b.worst_colour else "—"],
                    style=b.worst_colour) for b in self.building_views]
        self.query_one("#buildings", VirtualTable).set_source(ListSource(rows))
        self.query_one("#side-panel", Static).update(t(
            "map.grid_panel", name=grid.name, buildings=grid.buildings,
            households=grid.households, residents=grid.residents,
            cases=_colours(grid.open_cases)))

    def _show_building(self, building_id: str) -> None:
        b = next((x for x in self.building_views if x.id == building_id), None)
        if b:
            self.query_one("#side-panel", Static).update(t(
                "map.building_panel", name=b.name or b.number, grid=b.grid_name,
                households=b.households, residents=b.residents))

    def on_virtual_table_chosen(self, event: VirtualTable.Chosen) -> None:
        if event.table.id == "grids":
            self.query_one("#buildings", VirtualTable).focus()
        else:
            self.mulin.open_building(event.row.key)

    def action_open(self) -> None:
        focused = self.focused
        if isinstance(focused, VirtualTable):
            focused.action_choose()

    def action_next_section(self) -> None:
        self.focus_next()

    def action_prev_section(self) -> None:
        self.focus_previous()
