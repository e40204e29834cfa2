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

from app.clock import FixedClock
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
    env["MULIN_PIN"], env["MULIN_OPERATOR"] = "1234", "王五"  # the first administrator
    if passphrase:
        env["MULIN_DB_PASSPHRASE"] = passphrase
    return subprocess.run([sys.executable, "-m", "app", "--data-dir", str(data), *args],
                          capture_output=True, text=True, timeout=120, env=env,
                          stdin=subprocess.DEVNULL)


def test_an_encrypted_backup_restores_into_an_empty_folder(tmp_path: Path) -> None:
    desk, fresh, copy = tmp_path / "desk", tmp_path / "fresh", tmp_path / "b.sqlite3"
    made = _mulin(desk, "init", "--community", "东亭", "--station", "办公室", "--prefix",
                  "DT", "--encrypt", "--admin", "王五", passphrase=PASS)
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


def test_the_later_of_two_stations_with_one_prefix_renumbers(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], fixed_clock: FixedClock) -> None:
    """Two laptops joined offline as LA: the later one learns of the earlier by import,
    takes LA2 for its future numbers (a stamped change) and says so; old numbers stay."""
    from app import store
    from app.cli import main
    from app.services.cases import lifecycle as cases
    from app.services.trust import check
    from models.cases import Case
    from models.sync import Change, Station
    from tests.sync_support import Net, seed_content

    net = Net(tmp_path / "net")
    net.add("desk", "DT")
    seed_content()
    desk = net.export("desk", tmp_path / "d.mulin", full=True)
    net.add("lap1", "LA")
    fixed = store.context().station_id
    fixed_clock.advance(timedelta(minutes=5))
    net.add("lap2", "LA")  # joined from two key files, before either knew the other
    net.import_("lap1", desk)
    net.import_("lap2", desk)
    old = cases.intake({"category": "110", "description": "改号前"}).number
    assert old.startswith("LA-")
    lap1 = net.export("lap1", tmp_path / "l1.mulin", full=True)
    net.use("lap2")
    db.close()
    assert main(["--data-dir", str(net.paths["lap2"].data_dir), "import", str(lap1)]) == 0
    assert "LA2" in capsys.readouterr().out
    net.current = None
    net.use("lap2")
    me = store.context().station_id
    assert Station.get_by_id(me).prefix == "LA2" and Station.get_by_id(fixed).prefix == "LA"
    assert Change.select().where((Change.table == "station") & (Change.row_id == me)
                                 & (Change.op == "update")).exists()
    assert cases.intake({"category": "110", "description": "改号后"}).number.startswith("LA2-")
    assert Case.get(Case.description == "改号前").number == old  # history stays
    assert check.run() == []

    results = net.import_("lap1", net.export("lap2", tmp_path / "l2.mulin", full=True))
    assert [r.renumbered for r in results] == [""]  # the earlier station keeps its prefix
    assert store.context().prefix == "LA" and check.run() == []
    assert Case.get(Case.description == "改号后").number.startswith("LA2-")


def test_a_demo_cut_short_is_finished(hubin: Paths,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """The Hubin template holds the demo's data but not its operators (the last step),
    as a build killed during the index would leave it."""
    from app.cli import main
    from app.services.trust.operators import has_operators

    db.close()
    status = main(["--data-dir", str(hubin.data_dir), "demo", "--community", "hubin",
                   "--seed", "1"])
    out = capsys.readouterr()
    assert status == 0, out.err
    assert "已补完" in out.out and has_operators()
    db.close()
    again = main(["--data-dir", str(hubin.data_dir), "demo", "--community", "hubin",
                  "--seed", "1"])
    assert again == 1 and "已经有社区" in capsys.readouterr().err


def test_no_english_in_the_chinese_interface(empty_station: Paths,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import main

    db.close()
    os.environ["MULIN_PIN"] = "12"
    try:
        status = main(["--data-dir", str(empty_station.data_dir), "operator", "add", "张三",
                       "--role", "duty"])
    finally:
        del os.environ["MULIN_PIN"]
    err = capsys.readouterr().err
    assert status == 1 and "4" in err and "位数字" in err and "Value error" not in err
    os.environ["MULIN_PIN"] = "1234"  # init names its first administrator
    try:
        for args in (["init", "--community", "x", "--station", "y", "--prefix", "1"],
                     ["init", "--community", "x", "--station", "y", "--prefix", "AB",
                      "--no-encrypt"]):
            db.close()
            status = main(["--data-dir", str(empty_station.data_dir), *args,
                           "--admin", "王五"])
            err = capsys.readouterr().err
            assert status == 1, err
            assert not any(w in err for w in ("already", "prefix must", "Value error")), err
    finally:
        del os.environ["MULIN_PIN"]
