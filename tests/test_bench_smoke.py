"""`make bench` at a tiny scale: the whole harness runs and produces every figure.

No timing is asserted (speed is measured by the suite, never by tests); this only keeps
the harness alive as the app changes under it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.suite import EXPECTED

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("bench")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MULIN_")}
    run = subprocess.run([sys.executable, "-m", "benchmarks", "--scale", "tiny", "--out",
                          str(out)], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=900)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert (out / "RESULTS.md").read_text().startswith("# Mulin benchmarks")
    return json.loads((out / "results.json").read_text())


@pytest.mark.slow
def test_every_figure_is_produced(results: dict) -> None:
    figures = {f["key"]: f for f in results["figures"]}
    assert set(EXPECTED) <= set(figures), set(EXPECTED) - set(figures)
    broken = {k: f["note"] for k, f in figures.items() if f["status"] == "error"}
    assert not broken, broken
    for key in EXPECTED:  # issue 16: every figure measured, none "not available yet"
        f = figures[key]
        assert f["status"] == "ok", (key, f["status"], f["note"])
        assert f["stats"]["n"] >= 1 and f["stats"]["median"] > 0, key
        if f["reference"]:
            assert f["reference_stats"]["median"] > 0, key


@pytest.mark.slow
def test_report_names_the_machine_and_versions(results: dict) -> None:
    assert results["machine"]["cores"] >= 1 and results["machine"]["cpu"]
    assert {"python", "textual", "peewee", "sqlite"} <= set(results["versions"])
    targets = [f for f in results["figures"] if f["target"]]
    assert len(targets) >= 8
