"""The street office's desk (issue 15, step 4): driven by keys, one snapshot at 80x24."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from app import clock
from app.services.hub import database as hubdb
from app.services.hub import files, street
from app.services.sync import keys
from tests.conftest import NOW
from tests.hub_support import PASSPHRASE, Cluster, Street


@pytest.fixture(scope="module")
def desk_url(pg_cluster: Cluster, hub_street: dict[str, Street]) -> str:
    """A hub holding both small communities and one 12345 order in each."""
    clock.set_clock(clock.FixedClock(NOW))
    url = pg_cluster.create_database()
    hubdb.init(url)
    for prefix, key in (("JD", "hubin"), ("JE", "dongting")):
        hubdb.join(keys.read_key_file(hub_street[key].key, PASSPHRASE), "街道", prefix)
    files.import_files([s.bundle for s in hub_street.values()])
    street.new_order(hubdb.find("湖滨社区"), "12345：常阳小区路灯不亮", place="常阳小区")
    street.new_order(hubdb.find("东亭社区"), "12345：东亭二村夜间施工噪音", category="122")
    hubdb.close()
    return url


@pytest.fixture
def desk(desk_url: str) -> Iterator[str]:
    hubdb.open_hub(desk_url)
    yield desk_url
    hubdb.close()


def _states() -> dict[str, str]:
    return {r.description: r.state for r in street.queue()}


async def _loaded(pilot: Any) -> None:
    """Every worker of the desk done (the hub is read in workers) and drawn."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_street_desk_snapshot(desk: str, snap_compare: Any) -> None:
    """First in the module: the desk as the fixture made it (before the key test acts)."""
    from app.hub_tui import HubApp

    assert snap_compare(HubApp("JD/JE"), terminal_size=(80, 24), run_before=_loaded)


async def test_mulin_hub_reads_the_communities_once_while_it_starts(
        desk: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``mulin hub`` starts reading F2's figures as soon as the hub is open; the first
    screen shows them, read once (not once more for being shown)."""
    from app.hub_tui import HubApp
    from app.services.hub import desk as street_desk
    from app.services.hub import overview

    reads: list[int] = []
    real = overview.street_figures
    monkeypatch.setattr(overview, "street_figures", lambda: reads.append(1) or real())
    prefixes = street_desk.start()
    assert sorted(prefixes.split("/")) == ["JD", "JE"]
    app = HubApp(prefixes)
    async with app.run_test(size=(100, 30)) as pilot:
        await _loaded(pilot)
        table = app.screen.query_one("#hub-communities")
        assert table.row_count == 2 and not table.loading
        assert "2026-11" in str(app.screen.query_one("#hub-period").render())
    assert reads == [1]


async def test_the_street_signs_resolves_and_orders_by_keys(desk: str) -> None:
    from app.hub_tui import HubApp

    app = HubApp("JD/JE")
    async with app.run_test(size=(100, 30)) as pilot:
        await _loaded(pilot)
        table = app.screen.query_one("#hub-communities")
        assert sorted(str(table.get_row_at(i)[0]) for i in range(table.row_count)) == \
            ["东亭社区", "湖滨社区"]
        await pilot.press("f3")
        await _loaded(pilot)
        first = str(app.screen.query_one("#hub-queue").get_row_at(0)[6])
        await pilot.press("s")
        await _loaded(pilot)
        assert _states()[first] == "signed"
        await pilot.press("v", *"已协调处理", "enter")
        await _loaded(pilot)
        assert first not in _states()
        await pilot.press("n", *"12345 garbage", "enter")
        await _loaded(pilot)
        await pilot.press("enter")  # the community offered first
        await _loaded(pilot)
        assert _states()["12345 garbage"] == "received"
        assert app.screen.query_one("#hub-queue").row_count == 2


def _case_table(url: str) -> str:
    community = keys_community(url)
    return f'"{hubdb.schema_for(community)}"."case"'


def keys_community(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT id FROM mulin_hub.hub_community WHERE prefix = 'JD'"
                           ).fetchone()
    assert row is not None
    return str(row[0])


async def test_a_slow_hub_never_freezes_the_desk_and_a_failure_is_a_message(
        desk: str) -> None:
    import psycopg

    from app.hub_tui import HubApp

    table = _case_table(desk)
    holder = psycopg.connect(desk)
    holder.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")  # a slow database
    app = HubApp("JD/JE")
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert app.screen.query_one("#hub-communities").loading
            assert "正在读取" in str(app.screen.query_one("#hub-period").render())
            await pilot.press("f3")  # the desk answers keys meanwhile
            await pilot.pause()
            assert app.screen.query_one("#hub-queue").loading
            holder.rollback()
            await _loaded(pilot)
            assert app.screen.query_one("#hub-queue").row_count > 0
            assert not app.screen.query_one("#hub-queue").loading

            holder.execute(f"ALTER TABLE {table} RENAME TO case_gone")  # a failing query
            holder.commit()
            await pilot.press("r")
            await _loaded(pilot)
            title = str(app.screen.query_one("#hub-queue-title").render())
            assert title.startswith("枢纽数据库没有应答") and "case" in title
            assert not app.screen.query_one("#hub-queue").loading
            assert app.is_running
            moved = table.rsplit(".", 1)[0] + ".case_gone"
            holder.execute(f'ALTER TABLE {moved} RENAME TO "case"')
            holder.commit()
            await pilot.press("r")
            await _loaded(pilot)
            assert app.screen.query_one("#hub-queue").row_count > 0
    finally:
        holder.rollback()
        holder.close()
