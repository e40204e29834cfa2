"""Crash safety: SIGKILL at random moments of a save, an import and a backup leaves a
database that passes ``mulin check`` and holds all or none of the interrupted work; two
processes writing at once never surface "database is locked"."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app import store
from app.config import Paths
from app.services.station import identity as station
from app.services.station import stats
from models.db import db
from models.places import Building, Community, Grid, Household, Resident

ROOT = Path(__file__).resolve().parents[1]
RNG = random.Random(9)  # random kill points, the same on every run

SAVER = """
import sys
from pathlib import Path
from app import store
from app.config import Paths
from app.services.station import identity as station
from models.places import Building, Household, Resident

station.open_station(Paths(Path(sys.argv[1])))
tag, count = sys.argv[2], int(sys.argv[3])
building = Building.select().first().id
for i in range(count):
    with store.write() as tx:  # one save: a household and its three residents
        h = tx.insert(Household, building=building, room=f"{tag}{i}")
        tx.insert_many(Resident, [{"household": h, "name": f"{tag}{i}-{k}"} for k in range(3)])
    print("saved", i, flush=True)
"""

BACKUPS = """
import sys
from pathlib import Path
from app.config import Paths
from app.services.trust import backup
from app.services.station import identity as station

paths = Paths(Path(sys.argv[1]))
station.open_station(paths)
for i in range(int(sys.argv[2])):
    backup.make_backup(paths, "manual", keep=3)
    print("backup", i, flush=True)
"""

IMPORT = """
import sys
from pathlib import Path
from app.config import Paths
from app.services.station import identity as station
from app.services.sync import exchange

station.open_station(Paths(Path(sys.argv[1])))
print("start", flush=True)
exchange.import_bundle(Path(sys.argv[2]))
print("finished", flush=True)
"""


def _child(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", script, *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


def _kill_after(child: subprocess.Popen[str], first_line: str, delay: float) -> None:
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line.startswith(first_line), (line, child.stderr.read() if child.stderr else "")
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)


def _mulin_check(data_dir: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "app", "--data-dir", str(data_dir), "check"],
                         capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr


def _small_station(paths: Paths) -> None:
    station.open_station(paths)
    station.create_station("办公室", "HB", "community-crash")
    with store.write() as tx:
        c = tx.insert(Community, name="湖滨社区")
        g = tx.insert(Grid, community=c, name="第一网格", number=1)
        tx.insert(Building, community=c, grid=g, number="1", address="湖滨路1号")
    db.close()
    store.activate(None)


def _reopen(paths: Paths) -> None:
    store.activate(None)
    if not db.is_closed():
        db.close()
    station.open_station(paths)


def _saves_are_whole(tag: str) -> int:
    households = Household.select().where(Household.room.startswith(tag))
    for h in households:
        assert Resident.select().where(Resident.household == h.id).count() == 3
    return households.count()


@pytest.mark.parametrize("attempt", range(3))
def test_killed_save_is_all_or_nothing(tmp_path: Path, attempt: int) -> None:
    paths = Paths(tmp_path / "desk")
    _small_station(paths)
    child = _child(SAVER, str(paths.data_dir), "K", "100000")
    _kill_after(child, "saved", RNG.uniform(0.05, 1.0))
    assert child.returncode == -signal.SIGKILL
    _mulin_check(paths.data_dir)
    _reopen(paths)
    assert _saves_are_whole("K") >= 1


@pytest.mark.parametrize("attempt", range(3))
def test_killed_backup_leaves_no_half_backup(tmp_path: Path, attempt: int) -> None:
    paths = Paths(tmp_path / "desk")
    _small_station(paths)
    filler = _child(SAVER, str(paths.data_dir), "F", "60")
    assert filler.wait(timeout=300) == 0
    child = _child(BACKUPS, str(paths.data_dir), "100000")
    _kill_after(child, "backup", RNG.uniform(0.0, 0.5))
    _mulin_check(paths.data_dir)
    import sqlite3

    for made in paths.backups.glob("*.sqlite3"):  # every backup under a real name is whole
        conn = sqlite3.connect(made)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM household").fetchone()[0] == 60
        conn.close()


@pytest.fixture(scope="module")
def bundle_net(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str, str]:
    """A desk with content and its full bundle; a pristine laptop of the same community."""
    from tests.sync_support import desk_and_empty_laptop

    net, bundle, full, empty = desk_and_empty_laptop(tmp_path_factory.mktemp("net"), 4000)
    return net.paths["lap"].data_dir, bundle, empty, full


@pytest.mark.parametrize("attempt", range(3))
def test_killed_import_is_all_or_nothing(bundle_net: tuple[Path, Path, str, str],
                                         tmp_path: Path, attempt: int) -> None:
    pristine, bundle, empty, full = bundle_net
    lap = tmp_path / "lap"
    shutil.copytree(pristine, lap)
    child = _child(IMPORT, str(lap), str(bundle))
    _kill_after(child, "start", RNG.uniform(0.0, 1.5))
    _mulin_check(lap)
    _reopen(Paths(lap))
    assert stats.digest() in (empty, full)


def test_two_processes_write_and_back_up_side_by_side(tmp_path: Path) -> None:
    paths = Paths(tmp_path / "desk")
    _small_station(paths)
    writers = [_child(SAVER, str(paths.data_dir), tag, "40") for tag in ("A", "B")]
    backups = _child(BACKUPS, str(paths.data_dir), "5")
    for child in [*writers, backups]:
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
        assert "locked" not in err
    _mulin_check(paths.data_dir)
    _reopen(paths)
    assert _saves_are_whole("A") == 40 and _saves_are_whole("B") == 40


@pytest.mark.parametrize("attempt", range(2))
def test_killed_demo_generation_leaves_nothing_half_made(tmp_path: Path, attempt: int) -> None:
    data = tmp_path / "demo"
    child = subprocess.Popen([sys.executable, "-m", "app", "--data-dir", str(data), "demo",
                              "--community", "hubin", "--seed", "1"], cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert child.stderr is not None
    child.stderr.read(1)  # the progress bar has started: the generation is under way
    time.sleep(RNG.uniform(0.2, 1.5))
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)
    _mulin_check(data)
    _reopen(Paths(data))
    assert Community.select().count() == 0 and Resident.select().count() == 0
