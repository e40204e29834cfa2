"""A table that draws only the visible lines and fetches rows from a service by page.

Stock ``DataTable`` measures every cell of every row (TEXTUAL_NOTES.md); this one asks
its :class:`RowSource` for ``count()`` and for pages of ``PAGE`` rows as they scroll into
view, so 100k rows draw as fast as 100.

The cursor follows a *record*, not a row number: after a reload (a write re-sorts the
list, a filter narrows it, a sync brings rows in) it is put back on the row with the same
key, so the next action acts on the record the person was looking at.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

PAGE = 200
#: Pages searched for the remembered record after a reload (a source may answer faster
#: with an ``index_of(key)`` method).
MAX_SCAN_PAGES = 20
#: Drawn lines kept for reuse (a few screens' worth; cleared when full).
MAX_DRAWN = 512


@dataclass(frozen=True)
class Column:
    """A column: its header label and width in cells (``0`` = take the rest)."""

    label: str
    width: int


@dataclass
class Row:
    """One row: a stable key, its cells, and an optional style name (e.g. ``red``)."""

    key: str
    cells: Sequence[str | Text]
    style: str = ""
    extra: dict[str, str] = field(default_factory=dict)


class RowSource(Protocol):
    """Where rows come from: usually a thin adapter over a service's paged query."""

    def count(self) -> int: ...

    def page(self, offset: int, limit: int) -> list[Row]: ...


class VirtualTable(ScrollView, can_focus=True):
    """A keyboard-driven, virtual, paged table."""

    DEFAULT_CSS = """
    VirtualTable { height: 1fr; background: $surface; overflow-x: hidden; }
    VirtualTable > .vt--header { text-style: bold; background: $panel; }
    VirtualTable > .vt--cursor { background: $accent 40%; }
    VirtualTable:focus > .vt--cursor { background: $accent; color: $text; }
    VirtualTable > .vt--red { color: $error; }
    VirtualTable > .vt--yellow { color: $warning; }
    VirtualTable > .vt--green { color: $success; }
    VirtualTable > .vt--dim { color: $text-muted; }
    """
    COMPONENT_CLASSES = {"vt--header", "vt--cursor", "vt--red", "vt--yellow", "vt--green",
                         "vt--dim"}
    BINDINGS = [
        Binding("up,k", "cursor(-1)", show=False),
        Binding("down,j", "cursor(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "jump(0)", show=False),
        Binding("end", "jump(-1)", show=False),
        Binding("enter", "choose", show=False),
    ]

    class Highlighted(Message):
        """The cursor moved onto a row."""

        def __init__(self, table: VirtualTable, row: Row | None) -> None:
            super().__init__()
            self.table, self.row = table, row

        @property
        def control(self) -> VirtualTable:
            return self.table

    class Chosen(Message):
        """Enter was pressed on a row."""

        def __init__(self, table: VirtualTable, row: Row) -> None:
            super().__init__()
            self.table, self.row = table, row

        @property
        def control(self) -> VirtualTable:
            return self.table

    def __init__(self, columns: Sequence[Column], source: RowSource | None = None, *,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.columns = list(columns)
        self._source = source
        self._count = 0
        self._pages: dict[int, list[Row]] = {}
        self._drawn: dict[tuple[object, ...], Strip] = {}  # lines drawn, by what they show
        self.cursor = 0

    # data -------------------------------------------------------------
    def set_source(self, source: RowSource, keep_cursor: bool = False) -> None:
        self._source = source
        self.reload(keep_cursor)

    def reload(self, keep_cursor: bool = True) -> None:
        """Drop cached pages and re-count (after a write or a filter change).

        With ``keep_cursor`` the cursor stays on the same record (by key) wherever the
        reload moved it; if the record left the list, on the same line number.
        """
        key = self.current_row.key if keep_cursor and self.current_row else None
        self._pages.clear()
        self._count = self._source.count() if self._source else 0
        self.virtual_size = Size(self.size.width, self._count + 1)
        if keep_cursor:
            found = self.index_of(key) if key is not None else None
            self.cursor = found if found is not None else \
                min(self.cursor, max(0, self._count - 1))
            self._scroll_to_cursor()
        else:
            self.cursor = 0
            self.scroll_to(y=0, animate=False)
        self.refresh()
        self.post_message(self.Highlighted(self, self.current_row))

    def index_of(self, key: str) -> int | None:
        """The row number of the record ``key`` (near the cursor first), or None."""
        if self._source is None or self._count == 0:
            return None
        ask = getattr(self._source, "index_of", None)
        if ask is not None:
            found = ask(key)
            return found if found is not None and 0 <= found < self._count else None
        pages = (self._count + PAGE - 1) // PAGE
        here = min(self.cursor // PAGE, pages - 1)
        order = sorted(range(pages), key=lambda p: (abs(p - here), p))  # nearest pages first
        for page_no in order[:MAX_SCAN_PAGES]:
            self.row_at(page_no * PAGE)  # loads the page
            for i, row in enumerate(self._pages.get(page_no, [])):
                if row.key == key:
                    return page_no * PAGE + i
        return None

    @property
    def row_count(self) -> int:
        return self._count

    def row_at(self, index: int) -> Row | None:
        if not (0 <= index < self._count) or self._source is None:
            return None
        page_no = index // PAGE
        page = self._pages.get(page_no)
        if page is None:
            page = self._source.page(page_no * PAGE, PAGE)
            self._pages[page_no] = page
        offset = index - page_no * PAGE
        return page[offset] if offset < len(page) else None

    @property
    def current_row(self) -> Row | None:
        return self.row_at(self.cursor)

    def move_to_key(self, key: str) -> bool:
        """Put the cursor on the row with ``key`` (searching the pages if need be)."""
        found = self.index_of(key)
        if found is None:
            return False
        self._set_cursor(found)
        self._scroll_to_cursor()
        self.call_after_refresh(self._scroll_to_cursor)
        return True

    # drawing ----------------------------------------------------------
    def _widths(self) -> list[int]:
        fixed = sum(c.width for c in self.columns) + len(self.columns)
        rest = max(8, self.size.width - fixed)
        return [c.width or rest for c in self.columns]

    def _line(self, cells: Sequence[str | Text], style: Style) -> Strip:
        """One drawn line; a line drawn before (same cells, style and width) is reused:
        a filter keystroke that keeps most rows redraws only the rows that changed."""
        key = (tuple(c if isinstance(c, str) else (c.plain, str(c.style), tuple(c.spans))
                     for c in cells), style, self.size.width)
        strip = self._drawn.get(key)
        if strip is None:
            if len(self._drawn) >= MAX_DRAWN:
                self._drawn.clear()
            strip = self._drawn[key] = self._draw_line(cells, style)
        return strip

    def _draw_line(self, cells: Sequence[str | Text], style: Style) -> Strip:
        text = Text(no_wrap=True, overflow="ellipsis")
        for cell, width in zip(cells, self._widths(), strict=False):
            piece = cell.copy() if isinstance(cell, Text) else Text(str(cell))
            piece.truncate(width, overflow="ellipsis", pad=True)
            text.append_text(piece)
            text.append(" ")
        segments = list(text.render(self.app.console))
        strip = Strip(segments).apply_style(style)
        return strip.crop(0, self.size.width).extend_cell_length(self.size.width, style)

    def render_line(self, y: int) -> Strip:
        if y == 0:
            style = self.get_component_rich_style("vt--header")
            return self._line([c.label for c in self.columns], style)
        index = self.scroll_offset.y + y - 1
        row = self.row_at(index)
        if row is None:
            return Strip([Segment(" " * self.size.width, self.rich_style)])
        style = self.rich_style
        if row.style:
            style += self.get_component_rich_style(f"vt--{row.style}")
        if index == self.cursor:
            style += self.get_component_rich_style("vt--cursor")
        return self._line(row.cells, style)

    # moving -----------------------------------------------------------
    def _visible_rows(self) -> int:
        return max(1, self.size.height - 1)

    def _set_cursor(self, index: int) -> None:
        if self._count == 0:
            return
        index = max(0, min(self._count - 1, index))
        if index == self.cursor:
            return
        self.cursor = index
        self._scroll_to_cursor()
        self.call_after_refresh(self._scroll_to_cursor)  # again once the layout is final
        self.refresh()
        self.post_message(self.Highlighted(self, self.current_row))

    def _scroll_to_cursor(self) -> None:
        """Scroll just enough for the cursor's row to be inside the visible region."""
        top, rows = self.scroll_offset.y, self._visible_rows()
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + rows:
            self.scroll_to(y=self.cursor - rows + 1, animate=False, immediate=True)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, self._count + 1)
        self._scroll_to_cursor()

    def action_cursor(self, delta: int) -> None:
        self._set_cursor(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._set_cursor(self.cursor + direction * self._visible_rows())

    def action_jump(self, where: int) -> None:
        self._set_cursor(self._count - 1 if where < 0 else 0)

    def action_choose(self) -> None:
        row = self.current_row
        if row is not None:
            self.post_message(self.Chosen(self, row))

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self.refresh()


class ListSource:
    """A RowSource over rows already in memory (short lists: grids, buildings)."""

    def __init__(self, rows: list[Row]) -> None:
        self.rows = rows

    def count(self) -> int:
        return len(self.rows)

    def page(self, offset: int, limit: int) -> list[Row]:
        return self.rows[offset: offset + limit]


class FuncSource:
    """A RowSource over two service calls: a count and a page query."""

    def __init__(self, count: Callable[[], int], page: Callable[[int, int], list[Row]]) -> None:
        self._count, self._page = count, page
        self._cached: int | None = None

    def count(self) -> int:
        if self._cached is None:
            self._cached = self._count()
        return self._cached

    def page(self, offset: int, limit: int) -> list[Row]:
        return self._page(offset, limit)
