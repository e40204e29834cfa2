"""Backups: round trip, refusals, automatic backups and how many are kept."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from app import clock, store
from app.config import Paths
from app.services.station import identity as station
from app.services.station import stats
from app.services.trust import backup
from models.db import db
from models.places import Community, Resident


def test_backup_restore_round_trip(hubin: Paths, tmp_path: Path) -> None:
    digest = stats.digest()
    made = backup.backup_to(hubin, tmp_path / "copy.sqlite3")
    r = Resident.select().first()
    with store.write() as tx:
        tx.update(Resident, r.id, name="改错的名字")
        tx.insert(Community, name="误建社区")
    assert stats.digest() != digest
    safety = backup.restore(hubin, made)
    station.open_station(hubin)
    assert stats.digest() == digest and Resident.get_by_id(r.id).name == r.name
    assert safety.exists()  # the data before the restore is kept too
    assert not list(tmp_path.glob("*.part"))


def test_restore_refuses_another_community(hubin: Paths, tmp_path: Path) -> None:
    other = Paths(tmp_path / "other")
    db.close()
    station.open_station(other)
    station.create_station("别的站", "OT", "community-elsewhere")
    foreign = backup.backup_to(other, tmp_path / "foreign.sqlite3")
    db.close()
    station.open_station(hubin)
    digest = stats.digest()
    with pytest.raises(backup.BackupError, match="属于另一个社区"):
        backup.restore(hubin, foreign)
    assert stats.digest() == digest


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped"])
def test_restore_refuses_a_corrupt_file(hubin: Paths, tmp_path: Path, damage: str) -> None:
    made = backup.backup_to(hubin, tmp_path / "copy.sqlite3")
    data = bytearray(made.read_bytes())
    if damage == "garbage":
        data = bytearray(b"not a database at all" * 100)
    elif damage == "truncated":
        data = data[: len(data) // 3]
    else:
        for i in range(len(data) // 2, len(data) // 2 + 4096):
            data[i] ^= 0xFF
    made.write_bytes(bytes(data))
    digest = stats.digest()
    with pytest.raises(backup.BackupError):
        backup.restore(hubin, made)
    assert stats.digest() == digest


def test_restore_from_the_command_line_explains_refusal(hubin: Paths, tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"x" * 5000)
    db.close()
    out = subprocess.run([sys.executable, "-m", "app", "--data-dir", str(hubin.data_dir),
                          "restore", str(bad)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 1 and "拒绝恢复" in out.stderr


def test_daily_backup_once_per_local_day_and_pruned(empty_station: Paths,
                                                    fixed_clock: clock.FixedClock) -> None:
    assert backup.daily(empty_station, keep=3) is not None
    assert backup.daily(empty_station, keep=3) is None
    for _ in range(4):
        fixed_clock.advance(timedelta(days=1))
        assert backup.daily(empty_station, keep=3) is not None
    kept = backup.list_backups(empty_station)
    assert len(kept) == 3 and all(b.reason == "daily" for b in kept)


def test_before_import_copies_nothing_and_rotates_nothing_out(hubin: Paths) -> None:
    """Issue 16: an import protects itself with its undo record (tests/test_sync_undo.py)."""
    kept = [backup.make_backup(hubin, "daily", keep=2)]
    assert backup.before_import(hubin, keep=0) is None
    assert [b.path for b in backup.list_backups(hubin)] == kept


def test_daily_backup_runs_in_a_thread(empty_station: Paths) -> None:
    errors: list[Exception] = []
    thread = backup.daily_in_background(empty_station, 3, errors.append)
    thread.join(timeout=60)
    made = backup.list_backups(empty_station)
    assert not errors and [b.reason for b in made] == ["daily"]
    conn = sqlite3.connect(made[0].path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_restore_into_an_empty_data_dir(hubin: Paths, tmp_path: Path) -> None:
    digest = stats.digest()
    made = backup.backup_to(hubin, tmp_path / "copy.sqlite3")
    db.close()
    store.activate(None)
    fresh = Paths(tmp_path / "new-laptop")
    station.open_station(fresh)
    backup.restore(fresh, made)
    station.open_station(fresh)
    assert stats.digest() == digest
    shutil.rmtree(fresh.data_dir)
