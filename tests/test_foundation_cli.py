"""The command line as a user runs it: real processes, real data directories."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def mulin(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "MULIN_NOW": "2026-11-25T10:00:00+08:00", **(env or {})}
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True,
                          text=True, cwd=ROOT, env=full_env, timeout=300)


@pytest.fixture(scope="module")
def hubin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("cli") / "d"
    done = mulin("--data-dir", str(d), "demo", "--community", "hubin", "--seed", "1")
    assert done.returncode == 0, done.stderr
    return d


def test_demo_then_stats_json_reports_the_seed_sizes(hubin_dir: Path) -> None:
    done = mulin("--data-dir", str(hubin_dir), "stats", "--json")
    assert done.returncode == 0, done.stderr
    counts = json.loads(done.stdout)["counts"]
    assert (counts["households"], counts["residents"], counts["grids"]) == (2159, 7779, 13)
    assert counts["cases"] > 1000 and counts["mediations"] > 0


def test_same_seed_in_another_directory_gives_the_same_digest(hubin_dir: Path,
                                                              tmp_path: Path) -> None:
    other = tmp_path / "other"
    assert mulin("--data-dir", str(other), "demo", "--community", "hubin",
                 "--seed", "1").returncode == 0
    first = mulin("--data-dir", str(hubin_dir), "stats", "--digest").stdout.strip()
    second = mulin("--data-dir", str(other), "stats", "--digest").stdout.strip()
    assert len(first) == 64 and first == second


def test_environment_variable_chooses_the_data_dir(hubin_dir: Path) -> None:
    done = mulin("stats", "--json", env={"MULIN_DATA_DIR": str(hubin_dir)})
    assert json.loads(done.stdout)["counts"]["grids"] == 13


def test_demo_refuses_a_station_that_already_has_data(hubin_dir: Path) -> None:
    done = mulin("--data-dir", str(hubin_dir), "demo", "--community", "hubin")
    assert done.returncode == 1
    assert "已经有社区" in done.stderr


@pytest.mark.parametrize("args", [["bogus"], ["--bogus"], ["stats", "--nope"],
                                  ["demo", "--community", "atlantis"],
                                  ["demo", "--as-of", "yesterday"]])
def test_bad_usage_says_why_and_exits_2(args: list[str], tmp_path: Path) -> None:
    done = mulin("--data-dir", str(tmp_path), *args)
    assert done.returncode == 2
    assert "error:" in done.stderr


def test_commands_on_an_empty_directory_explain_what_to_do(tmp_path: Path) -> None:
    done = mulin("--data-dir", str(tmp_path / "nothing"), "stats")
    assert done.returncode == 1
    assert "mulin init" in done.stderr
