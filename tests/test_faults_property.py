"""Issue 18: random command lines never end in a traceback (hypothesis, in-process)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.cli import main
from app.config import Paths
from models.db import db

COMMANDS = [
    ["stats"], ["stats", "--digest"], ["stats", "--json"], ["check"], ["backup"],
    ["restore"], ["export"], ["export", "--full"], ["import"], ["sync"], ["report"],
    ["report", "--month"], ["mediation", "export"], ["mediation", "overdue"],
    ["operator", "list"], ["operator", "remove"], ["init", "--community"],
    ["init", "--join"], ["key", "export"], ["rekey"],
]


def _paths(root: Path) -> list[str]:
    return [str(root / "nowhere" / "x"), str(root / "a-dir"), str(root / "a-file"),
            str(root / ("名" * 120)), str(root / "a-file" / "under-a-file"), "", "-",
            "/proc/forbidden", "2026-13", "2026-10", "HB-TJ-2025-001", "ÿ\x7f"]


@pytest.fixture
def root(empty_station: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # relative names on the command line land here
    (tmp_path / "a-dir").mkdir()
    (tmp_path / "a-file").write_text("not a bundle")
    return tmp_path


@settings(max_examples=50, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_command_lines_never_trace_back(
        root: Path, empty_station: Paths, capsys: pytest.CaptureFixture[str],
        data: st.DataObject) -> None:
    command = data.draw(st.sampled_from(COMMANDS))
    extra = data.draw(st.lists(st.sampled_from(_paths(root) + ["--out", "--format", "csv",
                                                              "--prefix", "AB", "--full"]),
                               max_size=3))
    lang = data.draw(st.sampled_from([[], ["--lang", "en"]]))
    data_dir = data.draw(st.sampled_from([str(empty_station.data_dir), str(root / "a-file"),
                                          "", str(root / "fresh")]))
    argv = [*lang, "--data-dir", data_dir, *command, *extra]
    db.close()
    os.environ.pop("MULIN_PASSPHRASE", None)
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse: bad usage, exit 2 with its usage line
        status = exc.code if isinstance(exc.code, int) else 2
    out = capsys.readouterr()
    assert "Traceback" not in out.err + out.out, argv
    assert "意外错误" not in out.err and "unexpected error" not in out.err, (argv, out.err)
    assert status in (0, 1, 2), argv
