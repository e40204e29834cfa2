"""The map, the ledger and the key-care list driven from the keyboard (Hubin demo)."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, Static

from app.config import Paths
from app.i18n import t
from app.services.places import care, ledger
from app.services.places import views as places
from app.services.station import stats
from screens.widgets.virtual_table import VirtualTable

VALID_ID = "420117198503080012"


async def open_building(pilot: Any, number: str) -> None:
    """From the start: the map (F2), jump to the building (/), open its ledger."""
    await pilot.press("f2", "slash", *number, "enter")
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    assert f"{number}栋" in str(pilot.app.screen.query_one("#ledger-header", Static).render())


def _rows(screen: Any) -> list[Any]:
    table = screen.query_one(VirtualTable)
    return [table.row_at(i) for i in range(table.row_count)]


async def test_move_on_the_map_and_open_the_right_ledger(hubin: Paths) -> None:
    from app.tui import MulinApp

    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        data = places.map_data(app.community_id)
        start = next(b for b in data.buildings if b.id == app.screen.selected)
        right = places.nearest(data.buildings, start, "right")
        below = places.nearest(data.buildings, right, "down") if right else None
        assert right is not None and below is not None
        await pilot.press("l", "down")
        await pilot.pause()
        assert app.screen.selected == below.id
        await pilot.press("tab")
        await pilot.pause()
        assert next(b for b in data.buildings if b.id == app.screen.selected).grid_id \
            != below.grid_id
        await pilot.press("shift+tab", "enter")
        await pilot.pause()
        assert app.current_mode == "ledger"
        header = str(app.screen.query_one("#ledger-header", Static).render())
        expected = next(b for b in data.buildings if b.id == app.screen.building_id)
        assert expected.grid_id == below.grid_id
        assert f"{expected.number}栋" in header


async def test_jump_to_a_building_by_number(hubin: Paths) -> None:
    from app.tui import MulinApp

    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("slash", "1", "2", "enter")
        await pilot.pause()
        assert app.screen.selected == places.find_building(app.community_id, "12")
        await pilot.press("enter")
        await pilot.pause()
        assert "12栋" in str(app.screen.query_one("#ledger-header", Static).render())


async def test_invalid_id_is_refused_on_the_field_then_a_valid_one_is_saved(
        hubin: Paths) -> None:
    from app.tui import MulinApp

    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_building(pilot, "12")
        await pilot.press("2")
        await pilot.pause()
        before = stats.counts()
        shown = app.screen.query_one(VirtualTable).row_count
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"Li Ming", "tab", *(VALID_ID[:-1] + "5"))
        # birth date, gender, phone, relation, then the flat
        await pilot.press("tab", "tab", "tab", "tab", "tab", *"3-402")
        assert app.screen.focused is app.screen.query_one("#f-place", Input)
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = str(app.screen.query_one("#err-id_number", Static).render())
        assert error == t("places.err.id_check")
        assert stats.counts() == before
        assert app.screen.focused is app.screen.query_one("#f-id_number", Input)
        await pilot.press(*("backspace",) * 18, *VALID_ID, "ctrl+s")
        await pilot.pause()
        assert type(app.screen).__name__ == "LedgerScreen"
        assert stats.counts()["residents"] == before["residents"] + 1
        assert app.screen.query_one(VirtualTable).row_count == shown + 1
        assert any(r.cells[1] == "Li Ming" for r in _rows(app.screen))


async def test_log_a_visit_from_the_key_care_list(hubin: Paths) -> None:
    from app.tui import MulinApp

    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        assert app.current_mode == "care"
        first = app.screen.current()
        overdue = sum(r.overdue for r in app.screen.rows)
        assert first is not None and first.overdue
        await pilot.press("v")
        await pilot.pause()
        assert type(app.screen).__name__ == "VisitFormScreen"
        await pilot.press(*"ok", "ctrl+s")
        await pilot.pause()
        assert app.current_mode == "care" and type(app.screen).__name__ == "CareScreen"
        rows = app.screen.rows
        assert sum(r.overdue for r in rows) == overdue - 1
        seen = next(r for r in rows if r.resident_id == first.resident_id)
        assert not seen.overdue
        assert rows.index(seen) > 0
        assert t("care.overdue", d=first.days_overdue) not in str(
            _rows(app.screen)[rows.index(seen)].cells[0])


async def test_ledger_sections_5_and_6_are_edited_from_the_keyboard(hubin: Paths) -> None:
    from app.tui import MulinApp

    app = MulinApp()
    building = places.find_building(app.community_id, "12") or ""
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_building(building)
        await pilot.pause()
        opinions = ledger.count_opinions(building)
        await pilot.press("5", "n")
        await pilot.pause()
        assert type(app.screen).__name__ == "OpinionFormScreen"
        await pilot.press(*"楼顶太阳能板松动", "ctrl+s")
        await pilot.pause()
        assert ledger.count_opinions(building) == opinions + 1
        assert _rows(app.screen)[0].cells[3] == "楼顶太阳能板松动"
        await pilot.press("6", "n")
        await pilot.pause()
        await pilot.press(*"太阳能板加固", "ctrl+s")
        await pilot.pause()
        rows = ledger.livelihood_rows(building)
        assert "太阳能板加固" in [r.title for r in rows]
        assert [r.key for r in _rows(app.screen)] == [r.id for r in rows]


async def test_holiday_round_from_the_key_care_screen(hubin: Paths) -> None:
    from app.tui import MulinApp

    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        await pilot.press("r", *"Spring", "enter")
        await pilot.pause()
        assert app.screen.round_id
        summary = str(app.screen.query_one("#care-summary", Static).render())
        assert "Spring" in summary and "0/" in summary
        await pilot.press("v", "ctrl+s")
        await pilot.pause()
        assert care.round_progress(app.community_id, app.screen.round_id).seen == 1


def _open_ledger_12(app: Any) -> None:
    app.open_building(places.find_building(app.community_id, "12") or "")


def test_map_snapshot_80x24(hubin: Paths, snap_compare: Any) -> None:
    from app.tui import MulinApp

    assert snap_compare(MulinApp(), terminal_size=(80, 24), press=["wait:300"])


def test_map_snapshot_120x40(hubin: Paths, snap_compare: Any) -> None:
    from app.tui import MulinApp

    assert snap_compare(MulinApp(), terminal_size=(120, 40), press=["wait:300"])


def test_ledger_snapshot_80x24(hubin: Paths, snap_compare: Any) -> None:
    from app.tui import MulinApp

    async def run_before(pilot: Any) -> None:
        _open_ledger_12(pilot.app)
        await pilot.pause()

    assert snap_compare(MulinApp(), terminal_size=(80, 24), run_before=run_before,
                        press=["2", "wait:200"])


def test_ledger_snapshot_120x40(hubin: Paths, snap_compare: Any) -> None:
    from app.tui import MulinApp

    async def run_before(pilot: Any) -> None:
        _open_ledger_12(pilot.app)
        await pilot.pause()

    assert snap_compare(MulinApp(), terminal_size=(120, 40), run_before=run_before,
                        press=["3", "wait:200"])


async def test_enter_on_the_key_care_list_opens_the_residents_building(hubin: Paths) -> None:
    from app.tui import MulinApp

    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        first = app.screen.current()
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert app.current_mode == "ledger"
        assert app.screen.building_id == first.building_id
