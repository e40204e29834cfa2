"""The community's schematic map: grids as outlined rectangles, buildings at their places.

The widget only draws; the screen decides what is selected, zoomed or being moved and
calls :meth:`GridMap.show`. Map cells are scaled to the widget's size (each axis on its
own), so the whole community fits an 80x24 terminal and a large terminal gets room.
Each building shows its number on a badge in the colour of its most urgent open case,
``*`` when it has key-care residents and ``!`` when one of them is overdue for a visit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from app.services.places.views import GridRect, MapBuilding, MapData

BADGES = {
    "red": Style(color="white", bgcolor="red", bold=True),
    "yellow": Style(color="black", bgcolor="yellow", bold=True),
    "green": Style(color="black", bgcolor="green", bold=True),
    "": Style(bold=True),
}
SELECTED = Style(reverse=True, bold=True, underline=True)
MOVING = Style(color="black", bgcolor="magenta", bold=True, blink=False)
GRID_LINE = Style(color="bright_black")
GRID_ACTIVE = Style(color="cyan", bold=True)
MARK = Style(color="bright_magenta", bold=True)
OVERDUE = Style(color="bright_red", bold=True)


class Canvas:
    """A cell grid that knows CJK characters take two cells."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.cells: list[list[tuple[str, Style | None]]] = [
            [(" ", None)] * width for _ in range(height)]

    def _clear(self, row: list[tuple[str, Style | None]], x: int) -> None:
        if row[x][0] == "" and x > 0:  # right half of a wide char: blank the left half
            row[x - 1] = (" ", row[x - 1][1])
        if x + 1 < self.width and row[x + 1][0] == "":
            row[x + 1] = (" ", row[x + 1][1])

    def put(self, x: int, y: int, text: str, style: Style | None = None) -> int:
        """Write text from (x, y), clipped; returns the cells written."""
        if not 0 <= y < self.height:
            return 0
        row, start = self.cells[y], x
        for ch in text:
            width = cell_len(ch)
            if x < 0:
                x += width
                continue
            if x + width > self.width:
                break
            self._clear(row, x)
            if width == 2:
                self._clear(row, x + 1)
            row[x] = (ch, style)
            if width == 2:
                row[x + 1] = ("", style)
            x += width
        return x - start

    def blank(self, x: int, y: int) -> bool:
        return 0 <= y < self.height and 0 <= x < self.width and self.cells[y][x][0] == " "

    def mark(self, x: int, y: int, text: str, style: Style) -> int:
        """Write a one-cell mark only where nothing is drawn yet; returns cells written."""
        if self.blank(x, y):
            return self.put(x, y, text, style)
        return 0

    def strip(self, y: int, base: Style) -> Strip:
        segments: list[Segment] = []
        text, style = "", None
        for ch, st in self.cells[y]:
            if st is not style:
                if text:
                    segments.append(Segment(text, base + style if style else base))
                text, style = "", st
            text += ch
        if text:
            segments.append(Segment(text, base + style if style else base))
        return Strip(segments, self.width)


@dataclass
class View:
    """Which part of the map is on screen and how map cells scale to screen cells."""

    x: int
    y: int
    sx: float
    sy: float

    def to_screen(self, x: int, y: int) -> tuple[int, int]:
        return round((x - self.x) * self.sx), round((y - self.y) * self.sy)


class GridMap(Widget, can_focus=True):
    """Draws a :class:`MapData`; no keys of its own (the map screen owns them)."""

    DEFAULT_CSS = """
    GridMap { width: 1fr; height: 1fr; background: $surface; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.data: MapData | None = None
        self.selected: str | None = None
        self.zoom: GridRect | None = None
        self.moving: MapBuilding | None = None
        self._canvas: Canvas | None = None

    def show(self, data: MapData, selected: str | None, zoom: GridRect | None,
             moving: MapBuilding | None = None) -> None:
        self.data, self.selected, self.zoom, self.moving = data, selected, zoom, moving
        self._canvas = None
        self.refresh()

    def on_resize(self) -> None:
        self._canvas = None

    # geometry -----------------------------------------------------------------
    def view(self) -> View:
        assert self.data is not None
        if self.zoom is not None:
            x, y, w, h = self.zoom.x, self.zoom.y, self.zoom.w, self.zoom.h
            limit_x, limit_y = 3.0, 2.0
        else:
            x, y, w, h = 0, 0, self.data.width, self.data.height
            limit_x, limit_y = 1.6, 1.6
        sx = min(limit_x, max(1, self.size.width - 1) / max(1, w))
        sy = min(limit_y, max(1, self.size.height - 1) / max(1, h))
        return View(x, y, sx, sy)

    def whole_fits(self, width: int) -> bool:
        """Whether the whole community is readable at this width: building numbers on one
        row keep at least one blank cell between them."""
        if self.data is None or not self.data.buildings:
            return True
        sx = min(1.6, max(1, width - 1) / max(1, self.data.width))
        rows: dict[int, list[int]] = {}
        for b in self.data.buildings:
            rows.setdefault(b.y, []).append(b.x)
        gaps = [b - a for xs in rows.values() for a, b in zip(sorted(xs), sorted(xs)[1:],
                                                              strict=False)]
        longest = max(len(b.number) for b in self.data.buildings)
        return not gaps or min(gaps) * sx >= longest + 1

    def _visible(self, b: MapBuilding) -> bool:
        z = self.zoom
        return z is None or (z.x <= b.x < z.x + z.w and z.y <= b.y < z.y + z.h)

    def buildings_on_screen(self) -> Iterator[MapBuilding]:
        if self.data:
            yield from (b for b in self.data.buildings if self._visible(b))

    # drawing ------------------------------------------------------------------
    @staticmethod
    def _box(v: View, g: GridRect) -> tuple[int, int, int, int]:
        """A grid's outline on screen: left, top, right, bottom (inclusive)."""
        x0, y0 = v.to_screen(g.x, g.y)
        x1, y1 = v.to_screen(g.x + g.w, g.y + g.h)
        return x0, y0, max(x0 + 2, x1 - 1), max(y0 + 1, y1 - 1)

    def _draw_grid(self, c: Canvas, v: View, g: GridRect) -> None:
        x0, y0, x1, y1 = self._box(v, g)
        active = self._grid_of_selected() == g.id
        style = GRID_ACTIVE if active else GRID_LINE
        c.put(x0, y0, "┌" + "─" * (x1 - x0 - 1) + "┐", style)
        c.put(x0, y1, "└" + "─" * (x1 - x0 - 1) + "┘", style)
        for yy in range(y0 + 1, y1):
            c.put(x0, yy, "│", style)
            c.put(x1, yy, "│", style)
        label = g.name if cell_len(g.name) <= x1 - x0 - 2 else str(g.number)
        c.put(x0 + 1, y0, label[: max(0, x1 - x0 - 1)], style)

    def _grid_of_selected(self) -> str | None:
        if self.data is None or self.selected is None:
            return None
        return next((b.grid_id for b in self.data.buildings if b.id == self.selected), None)

    def _draw_building(self, c: Canvas, v: View, b: MapBuilding) -> None:
        is_moving = self.moving is not None and self.moving.id == b.id
        x, y = (self.moving.x, self.moving.y) if is_moving and self.moving else (b.x, b.y)
        sx, sy = v.to_screen(x, y)
        grid = next((g for g in self.data.grids if g.id == b.grid_id), None) \
            if self.data and not is_moving else None
        if grid is not None:  # keep the label inside its grid's outline
            x0, y0, x1, y1 = self._box(v, grid)
            label = len(b.number) + (1 if b.care else 0) + (1 if b.overdue else 0)
            sx = max(x0 + 1, min(sx, x1 - label))
            sy = max(y0 + 1, min(sy, y1 - 1)) if y1 - y0 >= 2 else sy
        written = c.put(sx, sy, b.number, self._style(b, is_moving))
        if b.overdue:
            written += c.mark(sx + written, sy, "!", OVERDUE)
        if b.care:
            c.mark(sx + written, sy, "*", MARK)

    def _style(self, b: MapBuilding, is_moving: bool = False) -> Style:
        style = BADGES.get(b.colour, BADGES[""])
        if b.id == self.selected:
            style = MOVING if is_moving else style + SELECTED
        return style

    def _draw_compact(self, c: Canvas, v: View) -> None:
        """Overview of the whole community when it is too cramped to place buildings:
        in every grid its building numbers flow line by line (row, then column order) on
        their case-colour badges, ``!`` after an overdue one; ``+N`` says how many more
        did not fit."""
        assert self.data is not None
        for g in self.data.grids:
            members = sorted((b for b in self.data.buildings if b.grid_id == g.id),
                             key=lambda m: (m.y, m.x))
            if members:
                self._flow(c, self._box(v, g), members)

    def _flow(self, c: Canvas, box: tuple[int, int, int, int],
              members: list[MapBuilding]) -> None:
        x0, y0, x1, y1 = box
        left, right, lines = x0 + 1, x1 - 1, range(y0 + 1, max(y0 + 2, y1))
        x, line = left, 0
        for i, b in enumerate(members):
            width = len(b.number) + (1 if b.overdue else 0)
            if x + width > right + 1:
                x, line = left, line + 1
            rest = len(members) - i
            last_line = line >= len(lines) - 1
            if line >= len(lines) or (last_line and rest > 1
                                      and x + width + len(f" +{rest}") > right + 1):
                more = f"+{rest}"
                if line < len(lines) and x + len(more) <= right + 1:
                    c.put(x, lines[line], more, MARK)
                return
            written = c.put(x, lines[line], b.number, self._style(b))
            if b.overdue:
                written += c.mark(x + written, lines[line], "!", OVERDUE)
            x += written + 1

    def _paint(self) -> Canvas:
        canvas = Canvas(max(1, self.size.width), max(1, self.size.height))
        if self.data is None:
            return canvas
        v = self.view()
        grids = [self.zoom] if self.zoom else self.data.grids
        for g in grids:
            self._draw_grid(canvas, v, g)
        if self.zoom is None and self.moving is None and not self.whole_fits(self.size.width):
            self._draw_compact(canvas, v)
            return canvas
        for b in self.buildings_on_screen():
            if b.id != self.selected:
                self._draw_building(canvas, v, b)
        chosen = next((b for b in self.data.buildings if b.id == self.selected), None)
        if chosen:  # drawn last so it is never hidden by a neighbour
            self._draw_building(canvas, v, chosen)
        return canvas

    def render_line(self, y: int) -> Strip:
        if self._canvas is None or self._canvas.width != self.size.width \
                or self._canvas.height != self.size.height:
            self._canvas = self._paint()
        if y >= self._canvas.height:
            return Strip.blank(self.size.width, self.rich_style)
        return self._canvas.strip(y, self.rich_style)
