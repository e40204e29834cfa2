"""Pilot: the sync screen (F10) exchanges with a real ``mulin hub serve`` on loopback, and
falls back to the sync folder when the hub cannot be reached (issue 15)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from app.cli import main
from app.config import LocalSettings, Paths
from app.services.station import identity as station
from app.services.station import stats
from app.services.sync import keys
from app.tui import MulinApp
from screens.sync.exchange import SyncScreen
from tests.hub_support import PASSPHRASE, Cluster, Street, close_station, copy_station
from tests.test_hub_network import Served, _free_port, _station_digest, serve_hubin
from tests.tui_support import notices


@pytest.fixture(scope="module")
def hub_with_hubin(pg_cluster: Cluster, hub_street: dict[str, Street]) -> Iterator[Served]:
    """A hub holding all of Hubin (by file), serving on loopback, a token for a laptop."""
    yield from serve_hubin(pg_cluster, hub_street)


async def test_a_new_laptop_gets_its_community_from_the_hub_by_keys(
        hub_with_hubin: Served, hub_street: dict[str, Street], tmp_path: Path) -> None:
    laptop = Paths(tmp_path / "laptop")
    station.join_community(laptop, keys.read_key_file(hub_street["hubin"].key, PASSPHRASE),
                           "笔记本", "LP")
    empty = stats.digest()
    app = MulinApp()
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("f10")
            await pilot.pause()
            assert isinstance(app.screen, SyncScreen)
            await pilot.press("h")
            await pilot.pause()
            address = app.screen.query_one("#sync-text", Input)
            assert address.value == ""  # no hub_url in settings: typed here
            await pilot.press(*hub_with_hubin.url, "enter")
            await pilot.pause()
            token = app.screen.query_one("#sync-text", Input)
            assert token.password  # the token is typed unseen
            await pilot.press(*hub_with_hubin.tokens["laptop"], "enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, SyncScreen)
            text = notices(app)
            assert f"已与枢纽 {hub_with_hubin.url} 交换" in text
            received = int(text.split("从枢纽收到 ")[1].split(" ")[0])
            assert received > 1000  # a whole community's residents, households, cases
    finally:
        close_station()
    assert _station_digest(laptop) == hub_street["hubin"].digest
    # the same service as ``mulin sync http://``: the answer left its rollback record
    assert main(["--data-dir", str(laptop.data_dir), "undo-import"]) == 0
    assert _station_digest(laptop) == empty


async def test_an_unreachable_hub_falls_back_to_the_sync_folder(
        hub_street: dict[str, Street], tmp_path: Path) -> None:
    copy = copy_station(hub_street["hubin"], tmp_path / "hubin")
    station.open_station(copy)
    folder = tmp_path / "stick"
    settings = LocalSettings(hub_url=f"http://127.0.0.1:{_free_port()}", hub_token="t",
                             hub_fallback=str(folder))
    app = MulinApp(settings)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("f10")
            await pilot.pause()
            await pilot.press("h")
            await pilot.pause()
            assert app.screen.query_one("#sync-text", Input).value == settings.hub_url
            other = sqlite3.connect(copy.database, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")  # another program is writing
            await pilot.press("enter")  # settings' token: no second question
            detail = app.screen.query_one("#sync-detail", Static)
            for _ in range(100):
                await pilot.pause(0.05)
                if "等待导入完成" in str(detail.render()):
                    break
            assert "等待导入完成" in str(detail.render())  # waits, and says so
            other.execute("ROLLBACK")
            other.close()
            await app.workers.wait_for_complete()
            await pilot.pause()
            text = notices(app)
            assert "无法连接街道枢纽" in text and f"改用同步文件夹 {folder}" in text
    finally:
        close_station()
    assert [p.suffix for p in folder.iterdir()] == [".mulin"]  # this station's bundle
