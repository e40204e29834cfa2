"""No open station: ``init --admin`` makes the first admin, commands that change data
sign in (``--operator`` + MULIN_PIN) and are recorded under that operator; a role without
the right is refused ``operator add``, ``restore`` and ``key export``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import Paths
from app.services.station import identity as station
from app.services.trust import operators
from app.tui import MulinApp
from models.db import db
from models.sync import Change
from screens.trust.signin import SignInScreen

ROOT = Path(__file__).resolve().parents[1]


def mulin(data: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MULIN_")}
    return subprocess.run([sys.executable, "-m", "app", "--data-dir", str(data), *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env={**clean, "MULIN_NOW": "2026-11-25T10:00:00+08:00", **env},
                          stdin=subprocess.DEVNULL)


def _changes_by_operator(data: Path) -> dict[str, set[str]]:
    station.open_station(Paths(data))
    try:
        names = {o.id: o.name for o in operators.list_operators()}
        out: dict[str, set[str]] = {}
        for c in Change.select():
            out.setdefault(names.get(c.operator, c.operator), set()).add(c.table)
        return out
    finally:
        db.close()


async def test_init_makes_an_admin_and_the_station_asks_for_a_pin(tmp_path: Path) -> None:
    data = tmp_path / "desk"
    init = ("init", "--community", "东亭社区", "--station", "办公室", "--no-encrypt")
    no_admin = mulin(data, *init)
    assert no_admin.returncode == 2 and "--admin" in no_admin.stderr
    assert not (data / "mulin.sqlite3").exists()
    made = mulin(data, *init, "--admin", "书记", MULIN_PIN="4821")
    assert made.returncode == 0, made.stderr
    refused = mulin(data, "export", str(tmp_path / "x.mulin"))
    assert refused.returncode == 1 and "--operator" in refused.stderr
    wrong = mulin(data, "--operator", "书记", "export", str(tmp_path / "x.mulin"),
                  MULIN_PIN="0000")
    assert wrong.returncode == 1 and "PIN 不对" in wrong.stderr
    assert not (tmp_path / "x.mulin").exists()
    station.open_station(Paths(data))
    try:
        operators.sign_out()
        app = MulinApp()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, SignInScreen)
    finally:
        db.close()


def test_a_role_without_the_right_is_refused_and_changes_carry_the_operator(
        tmp_path: Path) -> None:
    data, key = tmp_path / "desk", tmp_path / "community.key"
    assert mulin(data, "init", "--community", "东亭社区", "--station", "办公室",
                 "--no-encrypt", "--admin", "书记", MULIN_PIN="4821").returncode == 0
    added = mulin(data, "--operator", "书记", "operator", "add", "李四", "--role", "duty",
                  MULIN_PIN="4821", MULIN_NEW_PIN="1111")
    assert added.returncode == 0, added.stderr
    backup = mulin(data, "backup", "--operator", "李四", MULIN_PIN="1111")
    assert backup.returncode == 0, backup.stderr
    made = next((data / "backups").glob("*.sqlite3"))
    as_duty = {"MULIN_OPERATOR": "李四", "MULIN_PIN": "1111",
               "MULIN_NEW_PIN": "2222", "MULIN_PASSPHRASE": "long enough passphrase"}
    for args, words in ((("operator", "add", "王五", "--role", "duty"), "不能管理操作员"),
                        (("restore", str(made)), "不能从备份恢复"),
                        (("key", "export", str(key)), "不能导出或更换社区密钥")):
        done = mulin(data, *args, **as_duty)
        assert done.returncode == 1 and words in done.stderr, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
    assert not key.exists()
    by = _changes_by_operator(data)
    assert "operator" in by["书记"]  # 李四 was added by the admin, recorded as such
    assert "王五" not in str(by)


def test_commands_on_a_missing_station_refuse_and_leave_the_disk_untouched(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import main

    data = tmp_path / "nothing"
    for args in (["--demo", "stats"], ["stats"], ["check"], ["report", "--month", "2026-11"],
                 ["mediation", "overdue"], ["operator", "list"], ["backup"],
                 ["export", str(tmp_path / "x.mulin")], ["rekey"]):
        assert main(["--data-dir", str(data), *args]) == 1, args
        assert "mulin init" in capsys.readouterr().err
        assert not data.exists(), args
    assert not list(tmp_path.iterdir())
