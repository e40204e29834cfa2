"""Issue 18, the smaller faults: encrypted restore into an empty folder, edited backups,
prefix collisions, a demo cut short, English leaking into the Chinese interface."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from app.config import Paths
from app.services.station import stats
from app.services.trust import backup
from models.db import db
from models.places import Resident

PASS = "long enough passphrase"


def _mulin(data: Path, *args: str, passphrase: str | None = None
           ) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MULIN_")}
    env["MULIN_NOW"] = "2026-11-25T10:00:00+08:00"
    if passphrase:
        env["MULIN_DB_PASSPHRASE"] = passphrase
    return subprocess.run([sys.executable, "-m", "app", "--data-dir", str(data), *args],
                          capture_output=True, text=True, timeout=120, env=env,
                          stdin=subprocess.DEVNULL)


def test_an_encrypted_backup_restores_into_an_empty_folder(tmp_path: Path) -> None:
    desk, fresh, copy = tmp_path / "desk", tmp_path / "fresh", tmp_path / "b.sqlite3"
    made = _mulin(desk, "init", "--community", "东亭", "--station", "办公室", "--prefix",
                  "DT", "--encrypt", passphrase=PASS)
    assert made.returncode == 0, made.stderr
    assert _mulin(desk, "backup", str(copy), passphrase=PASS).returncode == 0
    digest = _mulin(desk, "stats", "--digest", passphrase=PASS).stdout
    refused = _mulin(fresh, "restore", str(copy))  # no passphrase: one line, nothing made
    assert refused.returncode == 1 and "口令" in refused.stderr
    assert "Traceback" not in refused.stderr
    done = _mulin(fresh, "restore", str(copy), passphrase=PASS)
    assert done.returncode == 0, done.stderr
    assert "新工作站" in done.stdout
    assert _mulin(fresh, "stats", "--digest", passphrase=PASS).stdout == digest
    assert not (fresh / "mulin.sqlite3").read_bytes().startswith(b"SQLite format 3")
    wrong = _mulin(fresh, "stats", passphrase="not the passphrase")
    assert wrong.returncode == 1


def test_an_edited_backup_is_refused(hubin: Paths, tmp_path: Path) -> None:
    name = Resident.select().first().name
    made = backup.backup_to(hubin, tmp_path / "copy.sqlite3")
    data = made.read_bytes()
    at = data.index(name.encode())
    edited = data[:at] + "错".encode() + data[at + 3:]  # three bytes of a name
    made.write_bytes(edited)
    digest = stats.digest()
    with pytest.raises(backup.BackupError, match="已被改动"):
        backup.restore(hubin, made)
    assert stats.digest() == digest


def test_backups_carry_a_checksum_and_pruning_removes_it(
        empty_station: Paths, fixed_clock: Any) -> None:
    from app.services.trust import checksum

    made = []
    for _ in range(3):
        made.append(backup.make_backup(empty_station, "manual", keep=2))
        fixed_clock.advance(timedelta(seconds=1))
    assert checksum.verify(made[-1]) is True
    assert not made[0].exists() and not checksum.sidecar(made[0]).exists()
    db.close()
