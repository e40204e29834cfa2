"""The write path: every write is stamped and logged in the same transaction."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from app import clock, store
from app.config import Paths
from models.places import Community, Grid
from models.sync import Change


def _community(tx: store.Tx, name: str = "湖滨社区") -> str:
    return tx.insert(Community, name=name)


def test_insert_stamps_hlc_and_logs_change(empty_station: Paths) -> None:
    with store.write() as tx:
        cid = _community(tx)
    row = Community.get_by_id(cid)
    change = Change.get(Change.row_id == cid)
    assert change.op == "insert" and change.table == "community"
    assert change.origin == store.context().station_id
    assert json.loads(change.data)["name"] == "湖滨社区"
    assert json.loads(row.field_clocks)["*"].startswith(change.hlc)


def test_failed_write_writes_and_logs_nothing(empty_station: Paths) -> None:
    before = Change.select().count()
    with pytest.raises(RuntimeError), store.write() as tx:
        _community(tx)
        raise RuntimeError("operator cancelled half-way")
    assert Community.select().count() == 0
    assert Change.select().count() == before


def test_invalid_field_is_refused_before_anything_is_written(empty_station: Paths) -> None:
    before = Change.select().count()
    with pytest.raises(KeyError), store.write() as tx:
        tx.insert(Community, name="A", nonsense=1)
    assert Change.select().count() == before


def test_update_logs_only_changed_fields_with_their_own_clock(empty_station: Paths,
                                                               fixed_clock: clock.FixedClock
                                                               ) -> None:
    with store.write() as tx:
        cid = _community(tx)
    fixed_clock.advance(timedelta(seconds=5))
    with store.write() as tx:
        changed = tx.update(Community, cid, name="湖滨社区", district="新洲区")
    assert changed == {"district": "新洲区"}
    last = Change.select().order_by(Change.seq.desc()).first()
    assert json.loads(last.data) == {"district": "新洲区"}
    clocks = json.loads(Community.get_by_id(cid).field_clocks)
    assert clocks["district"] > clocks["*"]


def test_unchanged_update_logs_nothing(empty_station: Paths) -> None:
    with store.write() as tx:
        cid = _community(tx)
    before = Change.select().count()
    with store.write() as tx:
        assert tx.update(Community, cid, name="湖滨社区") == {}
    assert Change.select().count() == before


def test_delete_is_a_tombstone_that_is_logged(empty_station: Paths) -> None:
    with store.write() as tx:
        cid = _community(tx)
        gid = tx.insert(Grid, community=cid, number=1, name="第1网格")
    with store.write() as tx:
        tx.delete(Grid, gid)
    assert Grid.get_by_id(gid).deleted is True
    last = Change.select().order_by(Change.seq.desc()).first()
    assert (last.row_id, json.loads(last.data)) == (gid, {"deleted": 1})


def test_sequence_and_hlc_increase_even_when_the_wall_clock_stands_still(
        empty_station: Paths) -> None:
    with store.write() as tx:
        for i in range(5):
            _community(tx, f"社区{i}")
    with store.write() as tx:
        _community(tx, "再一个")
    changes = list(Change.select().order_by(Change.seq))
    assert [c.seq for c in changes] == list(range(1, len(changes) + 1))
    assert [c.hlc for c in changes] == sorted(c.hlc for c in changes)
    assert len({c.hlc for c in changes}) == len(changes)


def test_nested_write_joins_the_outer_transaction(empty_station: Paths) -> None:
    with pytest.raises(ValueError), store.write() as outer:
        _community(outer, "外")
        with store.write() as inner:
            _community(inner, "内")
        raise ValueError
    assert Community.select().count() == 0
