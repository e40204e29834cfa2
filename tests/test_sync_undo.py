"""Undoing an import (issue 16): an import records how to take itself back instead of
copying the whole database first; undo returns the station to exactly where it was."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app import store
from app.services.cases import lifecycle as cases
from app.services.station import stats
from app.services.sync import undo
from app.services.trust import backup, check
from models.db import db
from models.places import Resident
from models.sync import Change, Conflict, Peer, ReceivedBundle
from tests.sync_support import Net, seed_content


def _state() -> tuple[str, int, int, list[tuple[str, str]], int]:
    return (stats.digest(), Change.select().count(), Conflict.select().count(),
            sorted((p.id, p.acks) for p in Peer.select()), ReceivedBundle.select().count())


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Net, dict[str, list[str]]]:
    """A desk and a laptop that hold the same seed."""
    net = Net(tmp_path)
    net.add("desk", "DK")
    ids = seed_content()
    seed = net.export("desk", tmp_path / "seed.mulin", full=True)
    net.add("lap", "LA")
    assert net.import_("lap", seed)[0].status == "applied"
    net.export("lap", tmp_path / "lap0.mulin")
    net.import_("desk", tmp_path / "lap0.mulin")
    return net, ids


def _day_of_work(net: Net, ids: dict[str, list[str]], root: Path) -> Path:
    """Edits, a new resident, a tombstone, case events at the desk; a concurrent edit
    on the laptop (so the import writes a conflict)."""
    net.use("lap")
    with store.write() as tx:
        tx.update(Resident, ids["residents"][0], name="笔记本改的")
    net.use("desk")
    with store.write() as tx:
        tx.update(Resident, ids["residents"][0], name="前台改的", phone="13900000000")
        tx.update(Resident, ids["residents"][1], household=ids["households"][2])
        tx.delete(Resident, ids["residents"][2])
        tx.insert(Resident, household=ids["households"][0], name="新搬来的")
    cases.act(ids["cases"][0], "responded", note="已联系")
    cases.intake({"category": "119", "description": "新的诉求"})
    return net.export("desk", root / "day.mulin")


def test_import_then_undo_returns_the_station_exactly(pair: tuple[Net, dict[str, list[str]]],
                                                      tmp_path: Path) -> None:
    net, ids = pair
    day = _day_of_work(net, ids, tmp_path)
    net.use("lap")
    before = _state()
    state_before = Resident.get_by_id(ids["residents"][0]).field_clocks
    result = net.import_("lap", day)[0]
    assert result.status == "applied" and result.new and result.updated and result.conflicts
    after = _state()
    assert after[0] != before[0]
    done = undo.undo_last()
    assert done.removed and done.restored and done.changes == after[1] - before[1]
    assert _state() == before
    assert Resident.get_by_id(ids["residents"][0]).field_clocks == state_before
    assert check.run() == []  # case states, log and rows agree again
    # the same file can be imported again and gives the same result as the first time
    assert net.import_("lap", day)[0].status == "applied"
    assert _state()[:3] == after[:3]


def test_undo_of_a_first_full_import_empties_the_laptop(tmp_path: Path) -> None:
    net = Net(tmp_path)
    net.add("desk", "DK")
    seed_content()
    seed = net.export("desk", tmp_path / "seed.mulin", full=True)
    net.add("lap", "LA")
    before = _state()
    net.import_("lap", seed)
    assert Resident.select().count() > 0
    undo.undo_last()
    assert _state() == before and Resident.select().count() == 0
    with pytest.raises(undo.UndoError, match="nothing"):
        undo.undo_last()


def test_undo_refused_once_the_station_wrote_after_the_import(
        pair: tuple[Net, dict[str, list[str]]], tmp_path: Path) -> None:
    net, ids = pair
    day = _day_of_work(net, ids, tmp_path)
    net.import_("lap", day)
    with store.write() as tx:
        tx.update(Resident, ids["residents"][3], name="导入后又改")
    state = _state()
    with pytest.raises(undo.UndoError, match="later_changes"):
        undo.undo_last()
    assert _state() == state


def test_import_takes_no_full_copy(pair: tuple[Net, dict[str, list[str]]],
                                   tmp_path: Path) -> None:
    """The import-day cost: the pre-import step copies nothing and removes no backup."""
    net, ids = pair
    day = _day_of_work(net, ids, tmp_path)
    net.use("lap")
    paths = net.paths["lap"]
    kept = backup.make_backup(paths, "daily")
    assert backup.before_import(paths, keep=1) is None
    assert [b.path for b in backup.list_backups(paths)] == [kept]
    before = stats.digest()
    db.close()
    store.activate(None)
    cli = [sys.executable, "-m", "app", "--data-dir", str(paths.data_dir)]
    out = subprocess.run([*cli, "import", str(day)], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert [b.path for b in backup.list_backups(paths)] == [kept]  # no copy was made
    out = subprocess.run([*cli, "undo-import"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "撤销" in out.stdout, out.stderr
    out = subprocess.run([*cli, "undo-import"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 1 and "撤销" in out.stderr and "Traceback" not in out.stderr
    net.current = None
    net.use("lap")
    assert stats.digest() == before


def test_duplicates_of_a_few_residents_equal_the_whole_scan(
        pair: tuple[Net, dict[str, list[str]]]) -> None:
    """find() looks only near the residents it is given, and finds what a full scan does."""
    from app.services.sync import duplicates

    net, ids = pair
    net.use("lap")
    hh = ids["households"][0]
    with store.write() as tx:
        tx.insert(Resident, household=hh, name="重复甲", birth_date="1950-01-01",
                  id_number="A1")
        tx.insert(Resident, household=hh, name="重复甲", birth_date="1950-01-01",
                  id_number="A2")
        tx.insert(Resident, household=ids["households"][1], name="证件同", id_number="X1")
        tx.insert(Resident, household=ids["households"][2], name="证件同人", id_number="X1")
    every = [r.id for r in Resident.select()]
    whole = duplicates.all_pairs()
    assert len(whole) == 2
    for rid in every:
        near = duplicates.find([rid])
        assert near == [p for p in whole if rid in (p.keep_id, p.other_id)]
