"""Encryption at rest: no passphrase, no data; the file reveals no resident's name."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config import Paths
from app.services.station import identity as station
from app.services.trust import backup, crypto_db
from models import db as dbmod
from models.db import db
from models.places import Resident

PASS = "湖滨-desk-2026"


def _mulin(data_dir: Path, *args: str, passphrase: str | None = None,
           new: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MULIN_")}
    env.update(MULIN_OPERATOR="书记", MULIN_PIN="0000")  # the admin `init --admin` made
    if passphrase:
        env["MULIN_DB_PASSPHRASE"] = passphrase
    if new:
        env["MULIN_NEW_DB_PASSPHRASE"] = new
    return subprocess.run([sys.executable, "-m", "app", "--data-dir", str(data_dir), *args],
                          capture_output=True, text=True, timeout=120, env=env,
                          stdin=subprocess.DEVNULL)


@pytest.fixture
def encrypted_hubin(hubin: Paths) -> Iterator[tuple[Paths, list[str]]]:
    every = sorted({r.name for r in Resident.select(Resident.name)})
    names = every[:: max(1, len(every) // 100)]  # 100 names spread over the community
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    assert len(_plain_bytes_found(hubin, names)) == len(names)  # in clear before
    crypto_db.encrypt_plain(hubin.database, PASS)
    db.close()
    dbmod.set_key(None)
    yield hubin, names
    dbmod.set_key(None)


def _plain_bytes_found(paths: Paths, names: list[str]) -> list[str]:
    blob = b"".join(p.read_bytes() for p in paths.data_dir.rglob("*") if p.is_file())
    return [n for n in names if n.encode() in blob]


def test_encrypted_station_file_shows_no_names(encrypted_hubin: tuple[Paths, list[str]]
                                               ) -> None:
    paths, names = encrypted_hubin
    assert len(names) >= 100
    assert not paths.database.read_bytes().startswith(dbmod.SQLITE_HEADER)
    assert _plain_bytes_found(paths, names) == []


def test_encrypted_station_needs_its_passphrase(encrypted_hubin: tuple[Paths, list[str]]
                                                ) -> None:
    paths, _ = encrypted_hubin
    none = _mulin(paths.data_dir, "stats")
    assert none.returncode == 1 and "已加密" in none.stderr
    wrong = _mulin(paths.data_dir, "stats", passphrase="not-the-passphrase")
    assert wrong.returncode == 1 and "口令不对" in wrong.stderr
    right = _mulin(paths.data_dir, "stats", "--json", passphrase=PASS)
    assert right.returncode == 0 and '"residents"' in right.stdout
    with pytest.raises(crypto_db.WrongPassphrase):
        crypto_db.unlock(paths.database, "guess-guess")


def test_writes_and_backups_stay_encrypted(encrypted_hubin: tuple[Paths, list[str]]) -> None:
    paths, names = encrypted_hubin
    crypto_db.unlock(paths.database, PASS)
    station.open_station(paths)
    r = Resident.select().first()
    from app import store

    with store.write() as tx:
        tx.update(Resident, r.id, name="新名字张秀英")
    made = backup.make_backup(paths, "manual")
    assert not made.read_bytes().startswith(dbmod.SQLITE_HEADER)
    db.close()  # leave the WAL in place: it must be encrypted too
    assert _plain_bytes_found(paths, [*names, "新名字张秀英"]) == []
    assert backup.inspect(made).community_id  # readable with the key


def test_rekey_changes_the_passphrase(encrypted_hubin: tuple[Paths, list[str]]) -> None:
    paths, _ = encrypted_hubin
    done = _mulin(paths.data_dir, "rekey", passphrase=PASS, new="another-passphrase")
    assert done.returncode == 0, done.stderr
    old = _mulin(paths.data_dir, "stats", passphrase=PASS)
    assert old.returncode == 1 and "口令不对" in old.stderr
    assert _mulin(paths.data_dir, "stats", passphrase="another-passphrase").returncode == 0


def test_init_encrypts_when_asked_and_rekey_encrypts_a_plain_station(tmp_path: Path) -> None:
    enc, plain = tmp_path / "laptop", tmp_path / "desk"
    made = _mulin(enc, "init", "--community", "东亭社区", "--station", "笔记本", "--prefix",
                  "DT", "--encrypt", "--admin", "书记", passphrase=PASS)
    assert made.returncode == 0, made.stderr
    assert crypto_db.is_encrypted(enc / "mulin.sqlite3")
    assert b"\xe4\xb8\x9c\xe4\xba\xad" not in (enc / "mulin.sqlite3").read_bytes()  # 东亭
    short = _mulin(tmp_path / "x", "init", "--community", "A", "--station", "B", "--encrypt",
                   "--admin", "书记",
                   passphrase="short")
    assert short.returncode == 1
    assert _mulin(plain, "init", "--community", "东亭社区", "--station", "办公室", "--prefix",
                  "DT", "--no-encrypt", "--admin", "书记").returncode == 0
    assert not crypto_db.is_encrypted(plain / "mulin.sqlite3")
    assert _mulin(plain, "rekey", new=PASS).returncode == 0
    assert crypto_db.is_encrypted(plain / "mulin.sqlite3")
    assert _mulin(plain, "check", passphrase=PASS).returncode == 0
