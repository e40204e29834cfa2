"""Issue 18: every failure is one line in the interface language — bad paths, a data
folder that is a file, damaged databases; temporary files never outlive a run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.cli import main
from app.config import Paths
from models.db import db

LONG = "x" * 300


def run(capsys: pytest.CaptureFixture[str], data: Path | str, *args: str) -> tuple[int, str]:
    db.close()
    status = main(["--data-dir", str(data), *args])
    out = capsys.readouterr()
    text = out.err + out.out
    assert "Traceback" not in text
    return status, out.err.strip()


def _no_empty_files(folder: Path) -> None:
    empty = [p for p in folder.rglob("*") if p.is_file() and p.stat().st_size == 0
             and not p.name.endswith(("-wal", "-shm"))]
    assert empty == []


@pytest.mark.parametrize("args, reason", [
    (["mediation", "export", "HB-TJ-2025-001", "--out", "{dir}"], "是一个文件夹"),
    (["mediation", "export", "HB-TJ-2025-001", "--out", "{file}/x.md"], "无法使用"),
    (["mediation", "export", "HB-TJ-2025-001", "--out", "{dir}/" + LONG + ".md"], "文件名太长"),
    (["report", "--month", "2026-10", "--out", "{dir}"], "是一个文件夹"),
    (["report", "--month", "2026-10", "--format", "csv", "--out", "{dir}/" + LONG],
     "文件名太长"),
    (["backup", "{file}/x.sqlite3"], "无法"),
    (["backup", "{dir}/" + LONG], "文件名太长"),
    (["export", "{dir}"], "文件夹"),
    (["export", "{dir}/" + LONG], "文件名太长"),
    (["import", "{dir}/" + LONG], "文件名太长"),
    (["restore", "{dir}/" + LONG], "文件名太长"),
])
def test_bad_targets_are_one_line_and_leave_nothing(
        hubin: Paths, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        args: list[str], reason: str) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (tmp_path / "a-file").write_text("x")
    filled = [a.format(dir=target, file=tmp_path / "a-file") for a in args]
    status, err = run(capsys, hubin.data_dir, *filled)
    assert status in (1, 2) and err.count("\n") == 0 and reason in err, err
    assert list(target.iterdir()) == []
    _no_empty_files(tmp_path)


def test_a_data_folder_that_is_a_file_or_empty(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    a_file = tmp_path / "data"
    a_file.write_text("not a folder")
    status, err = run(capsys, a_file, "stats")
    assert status == 1 and "是一个文件" in err
    status, err = run(capsys, "", "stats")
    assert status == 2 and "--data-dir 不能为空" in err


def test_a_damaged_database_is_reported_by_check(hubin: Paths, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    size = hubin.database.stat().st_size
    with hubin.database.open("r+b") as fh:
        fh.truncate(size // 3)
    status, out = run(capsys, hubin.data_dir, "check")
    assert status == 1
    status, err = run(capsys, hubin.data_dir, "stats")
    assert status == 1 and "损坏" in err and err.count("\n") == 0


def test_check_prints_the_damage(hubin: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    with hubin.database.open("r+b") as fh:
        fh.truncate(hubin.database.stat().st_size // 3)
    db.close()
    status = main(["--data-dir", str(hubin.data_dir), "check"])
    out = capsys.readouterr().out
    assert status == 1 and "损坏" in out and "检查发现 1 个问题" in out


def test_garbage_is_damaged_not_encrypted(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "mulin.sqlite3").write_bytes(os.urandom(200_001))
    status, err = run(capsys, data, "stats")
    assert status == 1 and "损坏" in err and "加密" not in err


def test_leftover_temporary_files_are_removed_at_the_next_start(
        hubin: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    hubin.backups.mkdir(exist_ok=True)
    stale = [hubin.backups / "mulin-import-1.sqlite3.part",
             hubin.backups / "mulin-import-1.sqlite3.part-journal",
             hubin.data_dir / "report.xlsx.part"]
    for p in stale:
        p.write_bytes(b"half")
    status, _ = run(capsys, hubin.data_dir, "stats", "--digest")
    assert status == 0 and not any(p.exists() for p in stale)


def test_english_interface_speaks_english(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    a_file = tmp_path / "data"
    a_file.write_text("x")
    db.close()
    status = main(["--lang", "en", "--data-dir", str(a_file), "stats"])
    err = capsys.readouterr().err
    assert status == 1 and "is a file, not a folder" in err
