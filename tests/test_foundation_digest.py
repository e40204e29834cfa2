"""The content digest: stable across insertion order, station and bookkeeping; moved by any edit."""

from __future__ import annotations

from app import store
from app.config import Paths
from app.services.station import identity as station
from app.services.station import stats
from models.db import db
from models.places import Community, Grid


def _fill(order: list[int]) -> None:
    with store.write() as tx:
        tx.insert(Community, id="c1", name="湖滨社区")
        for i in order:
            tx.insert(Grid, id=f"g{i}", community="c1", number=i, name=f"第{i}网格")


def _digest_of(paths: Paths, order: list[int], station_name: str) -> str:
    station.open_station(paths)
    station.create_station(station_name, "AB", "c1")
    _fill(order)
    value = stats.digest()
    db.close()
    return value


def test_digest_ignores_insertion_order_and_station(tmp_path) -> None:  # type: ignore[no-untyped-def]
    a = _digest_of(Paths(tmp_path / "a"), [1, 2, 3], "服务台")
    b = _digest_of(Paths(tmp_path / "b"), [3, 1, 2], "网格员笔记本")
    assert a == b


def test_digest_changes_after_any_edit(empty_station: Paths) -> None:
    _fill([1, 2])
    before = stats.digest()
    with store.write() as tx:
        tx.update(Grid, "g2", name="第二网格")
    edited = stats.digest()
    assert edited != before
    with store.write() as tx:
        tx.update(Grid, "g2", name="第2网格")
    assert stats.digest() == before  # same content again, same digest
    with store.write() as tx:
        tx.delete(Grid, "g1")
    assert stats.digest() != before


def test_counts_skip_tombstones(empty_station: Paths) -> None:
    _fill([1, 2])
    with store.write() as tx:
        tx.delete(Grid, "g1")
    assert stats.counts()["grids"] == 1
