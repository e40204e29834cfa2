"""Pilot: the sync screen lists a conflict with both values and keeps the other one."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from app import clock, store
from app.services.station import identity as station
from app.tui import MulinApp
from models.places import Resident
from models.sync import Change, Conflict
from screens.sync.exchange import SyncScreen
from screens.widgets.virtual_table import VirtualTable
from tests.sync_support import Net, seed_content
from tests.tui_support import notices, shows


def _conflicted(tmp_path: Path, fixed_clock: clock.FixedClock) -> str:
    net = Net(tmp_path)
    net.add("desk", "DK")
    rid = seed_content()["residents"][0]
    net.add("lap", "LA")
    net.import_("lap", net.export("desk", tmp_path / "seed.mulin", full=True))
    with store.write() as tx:
        tx.update(Resident, rid, name="李笔记")
    fixed_clock.advance(timedelta(seconds=1))
    net.use("desk")
    with store.write() as tx:
        tx.update(Resident, rid, name="张桌面")
    net.import_("desk", net.export("lap", tmp_path / "lap.mulin"))
    return rid


async def test_sync_screen_keeps_the_other_value(tmp_path: Path,
                                                 fixed_clock: clock.FixedClock) -> None:
    rid = _conflicted(tmp_path, fixed_clock)
    before = Change.select().count()
    pending = station.pending_changes()
    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, SyncScreen)
        table = app.screen.query_one("#sync-list", VirtualTable)
        row = table.current_row
        assert row is not None and row.cells[2:4] == ["张桌面", "李笔记"]
        detail = str(app.screen.query_one("#sync-detail", Static).render())
        assert "lap (LA)" in detail and "desk (DK)" in detail
        await pilot.press("o")
        await pilot.pause()
        assert table.row_count == 0
        header = str(app.screen.query_one("#station-header", Static).render())
        assert f"未同步 {pending + 1:,} 条" in header
    assert Resident.get_by_id(rid).name == "李笔记"
    assert Change.select().count() == before + 1  # a new change that will sync onward
    assert Conflict.get().resolution == "other"
    assert station.pending_changes() == pending + 1


async def test_accepting_the_winner_changes_no_content(tmp_path: Path,
                                                       fixed_clock: clock.FixedClock) -> None:
    rid = _conflicted(tmp_path, fixed_clock)
    before = Change.select().count()
    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        assert app.screen.query_one("#sync-list", VirtualTable).row_count == 0
    assert Resident.get_by_id(rid).name == "张桌面"
    assert Change.select().count() == before


async def test_export_from_the_screen_writes_the_typed_file(
        tmp_path: Path, fixed_clock: clock.FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    _conflicted(tmp_path, fixed_clock)
    monkeypatch.setenv("HOME", str(tmp_path))
    target = tmp_path / "out" / "desk.mulin"
    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("ctrl+u", *"~/out/desk.mulin")  # clear the suggested path, type
        path = app.screen.query_one("#sync-path", Input)
        assert path.value == "~/out/desk.mulin"
        assert not path.cursor_blink  # conftest keeps cursors steady (snapshots)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, SyncScreen)
        assert "待导出 0" in str(app.screen.query_one("#sync-station", Static).render())
    assert target.read_bytes().startswith(b"MULINBDL")


async def test_import_from_the_screen_brings_the_other_stations_work(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    net = Net(tmp_path)
    net.add("desk", "DK")
    seed_content()
    stick = tmp_path / "stick"
    net.export("desk", stick / "desk.mulin", full=True)
    desk = net.digest("desk")
    net.add("lap", "LA")
    monkeypatch.setenv("MULIN_SYNC_DIR", str(stick))
    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        assert app.screen.query_one("#sync-path", Input).value == f"{stick}{os.sep}"
        await pilot.press("enter")  # the folder as suggested: every bundle in it
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, SyncScreen)
        assert shows(app, "desk (DK)", "最近收到 11-25 10:00")  # the peer, heard from now
        assert "desk.mulin（来自 desk (DK)）：新增 16" in notices(app)
    assert net.digest("lap") == desk
    assert Resident.select().count() == 4
