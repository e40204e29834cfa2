"""Issue 18: a full or read-only disk — one line, no traceback, no 0-byte or temporary
file left, nothing half-written. Runs on a small tmpfs (skipped where it cannot mount)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import store
from app.cli import main
from app.services.station import stats
from models.db import db
from models.places import Resident
from tests.sync_support import Net, seed_content


def _mount(point: Path, size: str) -> bool:
    point.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point)],
                          capture_output=True)
    return done.returncode == 0


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    point = tmp_path / "mnt"
    if not _mount(point, "8m"):
        pytest.skip("cannot mount a tmpfs here (needs root): the full/read-only disk "
                    "cases are not exercised")
    try:
        yield point
    finally:
        db.close()
        store.activate(None)
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


@pytest.fixture
def stations(disk: Path, tmp_path: Path) -> tuple[Net, Path]:
    """A desk (normal disk) with a big bundle for a laptop living on the small disk."""
    net = Net(tmp_path / "desk-root")
    net.add("desk", "DT")
    ids = seed_content()
    small = net.export("desk", tmp_path / "small.mulin", full=True)
    with store.write() as tx:
        tx.insert_many(Resident, ({"household": ids["households"][i % 3],
                                   "name": f"居民{i:05d}", "phone": f"139{i:08d}",
                                   "health_note": "备注" * 40} for i in range(2000)))
    bundle = net.export("desk", tmp_path / "big.mulin", full=True)
    lap = Net(disk)
    lap.add("lap", "LA")
    lap.import_("lap", small)
    return lap, bundle


def _fill(disk: Path, leave: int) -> None:
    import shutil

    free = shutil.disk_usage(disk).free
    with (disk / "filler").open("wb") as fh:
        fh.write(b"\0" * max(0, free - leave))


def _run(capsys: pytest.CaptureFixture[str], data: Path, *args: str) -> tuple[int, str]:
    db.close()
    status = main(["--data-dir", str(data), *args])
    out = capsys.readouterr()
    assert "Traceback" not in out.err + out.out
    return status, (out.err or out.out).strip()


def _clean(disk: Path) -> None:
    leftovers = [p for p in disk.rglob("*") if p.is_file() and (
        ".part" in p.name or (p.stat().st_size == 0 and not p.name.endswith(("-wal", "-shm"))))]
    assert leftovers == []


COMMANDS = [["import", "{bundle}"], ["backup"], ["backup", "{disk}/copy.sqlite3"],
            ["export", "{disk}/out.mulin"], ["report", "--month", "2026-10", "--format",
                                             "csv"], ["stats"], ["check"],
            ["sync", "{disk}/usb"]]


def test_a_full_disk_is_one_line_and_leaves_nothing_behind(
        stations: tuple[Net, Path], disk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lap, bundle = stations
    data = lap.paths["lap"].data_dir
    digest = lap.digest("lap")
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    _fill(disk, 64 * 1024)
    failed = []
    for args in COMMANDS:
        filled = [a.format(bundle=bundle, disk=disk) for a in args]
        status, err = _run(capsys, data, *filled)
        assert status in (0, 1), (args, err)
        if status:
            failed.append(args[0])
            assert err.count("\n") == 0 and ("磁盘已满" in err or "已拒绝" in err), (args, err)
        _clean(disk)
    assert {"import", "backup", "sync"} <= set(failed)
    os.environ["MULIN_PIN"] = "1234"  # init names its first administrator
    try:
        status, err = _run(capsys, disk / "new", "init", "--community", "新", "--station",
                           "站", "--prefix", "NW", "--no-encrypt", "--admin", "王五")
    finally:
        del os.environ["MULIN_PIN"]
    assert status == 1 and "磁盘已满" in err
    _clean(disk)
    (disk / "filler").unlink()
    lap.current = None
    assert lap.digest("lap") == digest  # nothing half-applied
    db.close()
    status, err = _run(capsys, data, "import", str(bundle))  # room again: it goes in
    assert status == 0, err
    _clean(disk)


def test_a_read_only_disk_is_one_line(stations: tuple[Net, Path], disk: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    lap, bundle = stations
    data = lap.paths["lap"].data_dir
    assert stats.digest()
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    store.activate(None)
    done = subprocess.run(["mount", "-o", "remount,ro", str(disk)], capture_output=True)
    if done.returncode:
        pytest.skip("cannot remount the tmpfs read-only")
    for args in COMMANDS:
        filled = [a.format(bundle=bundle, disk=disk) for a in args]
        status, err = _run(capsys, data, *filled)
        assert status == 1 and err.count("\n") == 0 and "只读" in err, (args, err)
