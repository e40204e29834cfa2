"""Grid map screen (网格地图): the community's schematic map and a side panel.

Arrows or h/j/k/l move to the nearest building in that direction; Tab / Shift+Tab go from
grid to grid; Enter opens the building's ledger; ``/`` jumps to a building; ``z`` zooms
between the whole community and the selected grid; ``m`` moves the selected building
(arrows move it, Enter saves, Esc cancels); ``v`` logs a visit in the building; ``s`` sets
the selected grid's 网格长 and 网格员 (admin only).
"""

from __future__ import annotations

from dataclasses import replace

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from app import keymap
from app.i18n import t
from app.services.places import views as places
from app.services.station.freshness import data_version
from screens.base import MulinScreen
from screens.widgets.grid_map import GridMap
from screens.widgets.prompt import PromptDialog

keymap.define("map.up", "up,k", "move('up')", show=False)
keymap.define("map.down", "down,j", "move('down')", show=False)
keymap.define("map.left", "left,h", "move('left')", show=False)
keymap.define("map.right", "right,l", "move('right')", show=True)
keymap.define("map.next_grid", "tab,right_square_bracket", "grid(1)")
keymap.define("map.prev_grid", "shift+tab,left_square_bracket", "grid(-1)", show=False)
keymap.define("map.zoom", "z", "zoom")
keymap.define("map.layout", "m", "layout")
keymap.define("map.visit", "v", "visit")
keymap.define("map.opinion", "i", "opinion", show=False)  # footer is full: help lists it
keymap.define("map.staff", "s", "staff", show=False)


def _colours(counts: dict[str, int]) -> str:
    return " ".join(f"{t(f'colour.{c}')}{counts.get(c, 0)}" for c in places.COLOURS)


@keymap.bound
class MapScreen(MulinScreen):
    """The map on the left, what is selected on the right."""

    NAME = "map"
    DEFAULT_CSS = """
    #map-side { width: 28; height: 1fr; border-left: solid $primary; padding: 0 1; }
    """
    KEYS = ("map.up", "map.down", "map.left", "map.right", "nav.open", "map.next_grid",
            "map.prev_grid", "nav.search", "map.zoom", "map.layout", "map.visit", "map.opinion",
            "map.staff", "nav.back")

    def __init__(self) -> None:
        super().__init__()
        self.data: places.MapData | None = None
        self.selected: str | None = None
        self.zoomed = False
        self.moving: places.MapBuilding | None = None
        self.held = False  # composed after the first frame (see compose)

    def help_text(self) -> str:
        return t("map.help")

    def compose_body(self) -> ComposeResult:
        with Horizontal():
            yield GridMap(id="grid-map")
            yield Static(id="map-side")

    def compose(self) -> ComposeResult:
        # under the sign-in of the app's first frame the map is built just after that
        # frame, while the PIN is typed (issue 16: the first frame waits for nothing else)
        self.held = self.after_first_frame_only()
        if not self.held:
            yield from super().compose()

    def on_mount(self) -> None:
        self._fresh = True  # the resume that follows a mount need not reload again
        if self.held:
            self.after_first_frame(self._build)
        else:
            self._ready()

    async def _build(self) -> None:
        self.held = False
        await self.recompose()
        if self.query(GridMap):
            self._ready()  # (not when the app quit while the map was being built)

    def _ready(self) -> None:
        self.query_one(GridMap).focus()
        # the map is painted before its counts are read (issue 16: the desk's start;
        # under the sign-in screen, built after its frame, they are ready before anyone
        # looks)
        self.call_after_refresh(self._first_load)

    def _first_load(self) -> None:
        self.reload()
        self._seen_version = data_version()  # what was just loaded
        self.call_after_refresh(self._auto_zoom)

    def _auto_zoom(self) -> None:
        """Start zoomed on the selected grid when the whole community would be cramped."""
        grid_map = self.query_one(GridMap)
        if not grid_map.size.width:  # not laid out yet (under the sign-in): when shown
            self._zoom_pending = True
            return
        self._zoom_pending = False
        if not grid_map.whole_fits(grid_map.size.width) and not self.zoomed:
            self.zoomed = True
            self.redraw()

    def on_screen_resume(self) -> None:
        if getattr(self, "_zoom_pending", False):
            self.call_after_refresh(self._auto_zoom)
        if getattr(self, "_fresh", False):
            self._fresh = False
            return
        if self.data is not None and self.stale():
            self.reload()

    # state ---------------------------------------------------------------------
    def reload(self) -> None:
        if not self.community_id:
            return
        self.data = places.map_data(self.community_id)
        wanted = self.selected or getattr(self.mulin, "selected_building", None)
        if not any(b.id == wanted for b in self.data.buildings):
            wanted = self.data.buildings[0].id if self.data.buildings else None
        self.selected = wanted
        self.redraw()
        self.refresh_header()

    @property
    def current(self) -> places.MapBuilding | None:
        if self.data is None:
            return None
        return next((b for b in self.data.buildings if b.id == self.selected), None)

    def current_record(self) -> tuple[str, str] | None:
        """Ctrl+Y: the selected building's history."""
        b = self.current
        return ("building", b.id) if b else None

    def current_grid(self) -> places.GridRect | None:
        b = self.current
        if self.data is None or b is None:
            return None
        return next((g for g in self.data.grids if g.id == b.grid_id), None)

    def redraw(self) -> None:
        if self.data is None:
            return
        zoom = self.current_grid() if self.zoomed else None
        self.query_one(GridMap).show(self.data, self.selected, zoom, self.moving)
        self.query_one("#map-side", Static).update(self.side_text())

    def side_text(self) -> str:
        b, g = self.current, self.current_grid()
        if self.data is None or b is None or g is None:
            return t("map.empty")
        gp = places.grid_panel(self.community_id, g.id, self.data)
        bp = places.building_panel(self.community_id, b.id, self.data)
        parts = [self._panel(gp, grid=True), self._panel(bp, grid=False)]
        if self.moving:
            parts.append(t("map.moving_hint", x=self.moving.x, y=self.moving.y))
        parts.append(t("map.legend"))
        return "\n".join(parts)

    def _panel(self, p: places.PanelInfo, grid: bool) -> str:
        chiefs = "\n".join(t("map.chief", role=t(f"map.role.{k}"), name=n) for k, n in p.chiefs[:3])
        last = f"{p.last_visit:%m-%d}" if p.last_visit else "—"
        key = "map.panel.grid" if grid else "map.panel.building"
        return t(key, name=p.title, buildings=p.buildings, households=p.households,
                 residents=p.residents, cases=_colours(p.open_cases), care=p.care,
                 overdue=p.overdue, last=last, chiefs=chiefs or t("map.no_chief"))

    def select(self, building_id: str) -> None:
        self.selected = building_id
        self.mulin.selected_building = building_id
        self.redraw()

    # actions -------------------------------------------------------------------
    def action_move(self, direction: str) -> None:
        if self.moving is not None:
            dx, dy = places.DIRECTIONS[direction]
            self.moving = replace(self.moving, x=max(0, self.moving.x + dx),
                                  y=max(0, self.moving.y + dy))
            self.redraw()
            return
        b = self.current
        if b is None or self.data is None:
            return
        target = places.nearest(self.data.buildings, b, direction)
        if target is not None:
            self.select(target.id)

    def action_grid(self, step: int) -> None:
        g = self.current_grid()
        if self.data is None or not self.data.grids or self.moving:
            return
        index = next((i for i, x in enumerate(self.data.grids) if g and x.id == g.id), -1)
        for k in range(1, len(self.data.grids) + 1):
            target = self.data.grids[(index + step * k) % len(self.data.grids)]
            members = [b for b in self.data.buildings if b.grid_id == target.id]
            if members:
                self.select(min(members, key=lambda b: (b.y, b.x)).id)
                return

    def action_open(self) -> None:
        if self.moving is not None:
            self._save_layout()
        elif self.selected:
            self.mulin.open_building(self.selected)

    def action_zoom(self) -> None:
        self.zoomed = not self.zoomed
        self.redraw()

    def action_search(self) -> None:
        def done(text: str | None) -> None:
            if not text:
                return
            found = places.find_building(self.community_id, text)
            if found is None:
                self.notify(t("map.not_found", text=text), severity="warning")
            else:
                self.select(found)

        self.app.push_screen(PromptDialog(t("map.search_prompt")), done)

    def action_layout(self) -> None:
        if self.moving is None and self.current is not None:
            self.moving = self.current
            self.notify(t("map.moving_start"))
            self.redraw()

    def _save_layout(self) -> None:
        if self.moving is None:
            return
        try:
            places.move_building(self.moving.id, self.moving.x, self.moving.y)
        except places.LayoutError:
            self.notify(t("map.outside"), severity="error")
            return
        self.moving = None
        self.notify(t("map.saved"))
        self.reload()

    def action_back(self) -> None:
        if self.moving is not None:
            self.moving = None
            self.notify(t("map.move_cancelled"))
            self.redraw()

    def action_opinion(self) -> None:
        """An opinion 居民意见 about the selected building (household optional)."""
        if self.selected:
            from screens.civic.reach import new_opinion

            new_opinion(self, self.selected, done=lambda _r: self.reload())

    def action_visit(self) -> None:
        if self.selected:
            from screens.places.visit_form import VisitFormScreen  # lazy: not in the first frame

            self.app.push_screen(VisitFormScreen(self.selected), lambda _r: self.reload())

    def action_staff(self) -> None:
        """The selected grid's chief and workers (admin only; others are told why)."""
        g = self.current_grid()
        if g is None or self.moving is not None:
            return
        from screens.places.grid_staff import GridStaffScreen, refusal

        reason = refusal()
        if reason:
            self.notify(reason, severity="error")
            return
        self.app.push_screen(GridStaffScreen(g.id), lambda _r: self.reload())
