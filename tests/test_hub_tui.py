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


def test_street_desk_snapshot(desk: str, snap_compare: Any) -> None:
    """First in the module: the desk as the fixture made it (before the key test acts)."""
    from app.hub_tui import HubApp

    assert snap_compare(HubApp("JD/JE"), terminal_size=(80, 24), press=["wait:200"])


async def test_the_street_signs_resolves_and_orders_by_keys(desk: str) -> None:
    from app.hub_tui import HubApp

    app = HubApp("JD/JE")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#hub-communities")
        assert sorted(str(table.get_row_at(i)[0]) for i in range(table.row_count)) == \
            ["东亭社区", "湖滨社区"]
        await pilot.press("f3")
        await pilot.pause()
        first = str(app.screen.query_one("#hub-queue").get_row_at(0)[6])
        await pilot.press("s")
        await pilot.pause()
        assert _states()[first] == "signed"
        await pilot.press("v", *"已协调处理", "enter")
        await pilot.pause()
        assert first not in _states()
        await pilot.press("n", *"12345 garbage", "enter")
        await pilot.pause()
        await pilot.press("enter")  # the community offered first
        await pilot.pause()
        assert _states()["12345 garbage"] == "received"
        assert app.screen.query_one("#hub-queue").row_count == 2
