"""An import killed with SIGKILL half-way leaves the database as it was; the same import
then succeeds."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from app.services.station import stats
from models.places import Household
from models.sync import ReceivedBundle
from tests.sync_support import desk_and_empty_laptop

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import sys
from pathlib import Path
from app.config import Paths
from app.services.station import identity as station
from app.services.sync import exchange

station.open_station(Paths(Path(sys.argv[1])))

def progress(label, fraction):
    print(f"{label} {fraction:.2f}", flush=True)
    if fraction > 0.3:
        sys.stdin.readline()  # wait here, inside the transaction, to be killed

exchange.import_bundle(Path(sys.argv[2]), progress)
print("finished", flush=True)
"""


def test_killed_import_leaves_the_database_consistent_and_can_be_redone(
        tmp_path: Path) -> None:
    net, bundle, source_digest, before = desk_and_empty_laptop(tmp_path, 3000)

    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(net.paths["lap"].data_dir), str(bundle)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert child.stdout is not None
    for line in child.stdout:
        fraction = float(line.split()[-1]) if line[0] != "f" else 1.0
        if fraction > 0.3:
            break
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    conn = sqlite3.connect(net.db_file("lap"))
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    net.current = None
    net.use("lap")
    assert stats.digest() == before  # none of the half-done import is visible
    assert ReceivedBundle.select().count() == 0
    assert Household.select().count() == 0

    again = net.import_("lap", bundle)[0]
    assert again.status == "applied" and again.new > 3000
    assert stats.digest() == source_digest
