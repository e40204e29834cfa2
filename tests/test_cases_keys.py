"""Keys of the cases screens no other test drove: the list's filters by level, grid,
category and handler (f), the dashboard's report export (x), the handover export (x)."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from app.config import Paths
from app.i18n import t
from app.services.cases import metrics
from app.services.cases import views as case_views
from app.services.cases.views import CaseFilter
from app.services.trust import sealed
from app.tui import MulinApp
from screens.widgets.virtual_table import VirtualTable
from tests.tui_support import notices

#: Filter form fields after the text box, in Tab order.
ORDER = ("scope", "level", "colour", "grid", "category", "handler", "overdue")


def _choice(name: str, community: str) -> tuple[str, str, int]:
    """(value, cell text, place in the list after "any") of the option to choose."""
    if name == "level":
        return "community", t("level.community"), 2
    if name == "category":
        return "114", t("category.114"), 2
    if name == "grid":
        gid, grid_name = case_views.grid_choices(community)[1]
        return gid, grid_name, 2
    handlers = case_views.handler_choices(community)  # the first one holding open cases
    place, handler = next((i, h) for i, h in enumerate(handlers, start=1)
                          if case_views.count(community, CaseFilter(handler=h)))
    return handler, handler, place


#: Filter field -> (CaseFilter attribute, the list column that shows it).
COLUMN = {"level": ("level", 2), "grid": ("grid_id", 3), "category": ("category", 4),
          "handler": ("handler", 8)}


@pytest.mark.parametrize("name", list(COLUMN))
async def test_filter_the_case_list_by(hubin: Paths, name: str) -> None:
    app = MulinApp()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        community = app.community_id
        everything = app.screen.query_one("#cases", VirtualTable).row_count
        value, cell, place = _choice(name, community)
        tabs = ["tab"] * (ORDER.index(name) + 1)
        await pilot.press("f", *tabs, "enter", *["down"] * place, "enter", "ctrl+s")
        await pilot.pause()
        table = app.screen.query_one("#cases", VirtualTable)
        attribute, column = COLUMN[name]
        expected = case_views.count(community, replace(CaseFilter(), **{attribute: value}))
        assert 0 < table.row_count == expected < everything
        shown = [table.row_at(i) for i in range(min(table.row_count, 30))]
        assert all(str(row.cells[column]) == cell for row in shown if row is not None)
        await pilot.press("escape")  # Esc clears the filters
        await pilot.pause()
        assert table.row_count == everything


async def test_x_on_the_dashboard_writes_the_months_report(hubin: Paths) -> None:
    app = MulinApp()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("f7")
        await pilot.pause()
        label = app.screen.month_label
        await pilot.press("x")
        await app.workers.wait_for_complete()
        await pilot.pause()
        plain = metrics.default_report_path(metrics.month(label), "xlsx")
        path = plain.with_name(plain.name + ".enc")  # personal data: sealed (issue 12)
        assert t("dashboard.exported", path=str(path)) in notices(app)
        assert not plain.exists()
        name, data = sealed.unseal(path.read_bytes())
    from openpyxl import load_workbook

    assert name == plain.name
    book = load_workbook(io.BytesIO(data), read_only=True)
    assert len(book.sheetnames) >= 2
    cells = [c for row in book.worksheets[0].iter_rows(values_only=True) for c in row if c]
    assert any(label in str(c) for c in cells)


async def test_x_on_the_handover_writes_the_sheet_shown(hubin: Paths) -> None:
    app = MulinApp()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("f8")
        await pilot.pause()
        sheet: Any = app.screen.sheet
        await pilot.press("x")
        await pilot.pause()
        exports = Path(str(hubin.database)).parent / "exports"
        (written,) = exports.glob("handover-*.md.enc")  # sealed: it names residents
        assert t("handover.exported", path=str(written)) in notices(app)
        assert not list(exports.glob("handover-*.md"))
        text = sealed.unseal(written.read_bytes())[1].decode("utf-8")
    assert sheet.open_red and all(row.number in text for row in sheet.open_red)
    assert all(row.number in text for row in sheet.overdue)
