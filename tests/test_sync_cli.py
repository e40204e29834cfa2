"""``mulin init / key export / init --join / export / import / sync`` as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASS = "long enough passphrase"


def mulin(data: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "MULIN_NOW": "2026-11-25T10:00:00+08:00",
                "MULIN_OPERATOR": "书记", "MULIN_PIN": "0000", **env}  # init --admin 书记
    full_env.pop("MULIN_PASSPHRASE", None) if "MULIN_PASSPHRASE" not in env else None
    return subprocess.run([sys.executable, "-m", "app", "--data-dir", str(data), *args],
                          capture_output=True, text=True, cwd=ROOT, env=full_env, timeout=300)


def digest(data: Path) -> str:
    done = mulin(data, "stats", "--digest")
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_two_laptops_and_a_desk_agree_through_a_sync_folder(tmp_path: Path) -> None:
    desk, lap1, lap2 = tmp_path / "desk", tmp_path / "lap1", tmp_path / "lap2"
    folder, key = tmp_path / "usb", tmp_path / "community.key"
    made = mulin(desk, "init", "--community", "东亭社区", "--station", "办公室",
                 "--prefix", "DT", "--no-encrypt", "--admin", "书记")
    assert made.returncode == 0, made.stderr
    secret = tmp_path / "pass.txt"
    secret.write_text(PASS + "\n", encoding="utf-8")
    exported = mulin(desk, "key", "export", str(key), "--passphrase-file", str(secret))
    assert exported.returncode == 0, exported.stderr
    assert "东亭" not in key.read_text(encoding="utf-8")  # the name is sealed too

    wrong = mulin(lap1, "init", "--join", str(key), "--station", "笔记本1", "--prefix", "LA",
                  "--no-encrypt", MULIN_PASSPHRASE="not the passphrase")
    assert wrong.returncode == 1 and "口令错误" in wrong.stderr
    taken = mulin(lap1, "init", "--join", str(key), "--station", "笔记本1", "--prefix", "DT",
                  "--no-encrypt", MULIN_PASSPHRASE=PASS)
    assert taken.returncode == 1 and "DT" in taken.stderr
    for data, prefix in ((lap1, "LA"), (lap2, "LB")):
        joined = mulin(data, "init", "--join", str(key), "--station", f"笔记本{prefix}",
                       "--prefix", prefix, "--no-encrypt", MULIN_PASSPHRASE=PASS)
        assert joined.returncode == 0, joined.stderr

    seed = tmp_path / "seed.mulin"
    assert mulin(desk, "export", "--full", str(seed)).returncode == 0
    imported = mulin(lap1, "import", str(seed))
    assert imported.returncode == 0, imported.stderr
    assert "新增" in imported.stdout

    # everyone syncs through the folder, in an odd order, some twice
    for data in (lap2, desk, lap1, lap2, desk, lap1, lap2, desk, lap1, lap2):
        done = mulin(data, "sync", str(folder))
        assert done.returncode == 0, done.stderr
    assert len({digest(lap1), digest(lap2), digest(desk)}) == 1
    again = mulin(lap2, "sync", str(folder))
    assert again.returncode == 0 and "没有新的内容" in again.stdout
    assert "新增" not in again.stdout


def test_refused_import_exits_non_zero_with_one_line(tmp_path: Path) -> None:
    desk = tmp_path / "desk"
    assert mulin(desk, "init", "--community", "湖滨社区", "--station", "值班台",
                 "--no-encrypt", "--admin", "书记").returncode == 0
    junk = tmp_path / "junk.mulin"
    junk.write_bytes(b"MULINBDL\x00\x00\x00\x05{]}]}")
    database = desk / "mulin.sqlite3"
    before = database.read_bytes()
    done = mulin(desk, "import", str(junk))
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1 and "损坏" in done.stderr
    assert database.read_bytes() == before
    missing = mulin(desk, "import", str(tmp_path / "nowhere.mulin"))
    assert missing.returncode == 1 and "无法读取" in missing.stderr


def test_init_needs_exactly_one_of_community_or_join(tmp_path: Path) -> None:
    assert mulin(tmp_path / "a", "init", "--station", "X", "--no-encrypt").returncode == 2
    no_pass = mulin(tmp_path / "b", "init", "--join", str(tmp_path / "k"), "--station", "X",
                    "--prefix", "XX", "--no-encrypt")
    assert no_pass.returncode == 1 and "口令" in no_pass.stderr


def test_export_without_a_station_says_how_to_make_one(tmp_path: Path) -> None:
    done = mulin(tmp_path / "empty", "export", str(tmp_path / "x.mulin"))
    assert done.returncode == 1 and "mulin init" in done.stderr
