"""``mulin check`` passes on a sound station and catches each planted inconsistency."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest

from app.config import Paths
from app.services.trust import check
from models.db import db


def _sql(*statements: str) -> None:
    db.execute_sql("PRAGMA foreign_keys = 0")
    for s in statements:
        db.execute_sql(s)
    db.execute_sql("PRAGMA foreign_keys = 1")


def _open_case_to_closed() -> None:
    _sql("UPDATE \"case\" SET state = 'closed' WHERE id = (SELECT id FROM \"case\" "
         "WHERE state = 'dispatched' ORDER BY id LIMIT 1)")


def _orphan() -> None:
    _sql("DELETE FROM building WHERE id = (SELECT id FROM building ORDER BY id LIMIT 1)")


def _unlogged() -> None:
    _sql("DELETE FROM change WHERE row_id = (SELECT id FROM grid ORDER BY id LIMIT 1)")


def _missing() -> None:
    _sql("DELETE FROM opinion WHERE id = (SELECT id FROM opinion ORDER BY id LIMIT 1)")


def _seq_gap() -> None:
    _sql("UPDATE change SET seq = seq + 1000 WHERE seq = (SELECT max(seq) FROM change)")


PLANTED: dict[str, Callable[[], None]] = {
    "case_state": _open_case_to_closed, "orphans": _orphan, "unlogged": _unlogged,
    "missing": _missing, "seq_gap": _seq_gap,
}


@pytest.fixture
def sound(hubin: Paths) -> Paths:
    """Hubin with its derived case cache recomputed from the events.

    (The demo generator may leave a cached handler that its events do not give; the
    check reports that, and this fixture's station starts from a sound state.)
    """
    from app.services.cases import lifecycle as cases
    from models.cases import Case

    cases.refresh_derived_cache([c.id for c in Case.select(Case.id)])
    return hubin


def test_a_sound_station_passes(sound: Paths) -> None:
    assert check.run() == []


@pytest.mark.parametrize("kind", sorted(PLANTED))
def test_each_planted_inconsistency_is_caught(sound: Paths, kind: str) -> None:
    PLANTED[kind]()
    problems = check.run()
    assert kind in {p.kind for p in problems}, problems


def test_damaged_file_fails_the_check_with_non_zero_exit(hubin: Paths) -> None:
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = bytearray(hubin.database.read_bytes())
    page = 4096
    middle = (len(data) // page // 2) * page
    for i in range(middle + 100, middle + page):  # keep the page header, garble the cells
        data[i] = (data[i] * 7 + 13) % 256
    hubin.database.write_bytes(bytes(data))
    run = subprocess.run([sys.executable, "-m", "app", "--data-dir", str(hubin.data_dir),
                          "check"], capture_output=True, text=True, timeout=120)
    assert run.returncode != 0, run.stdout
    assert "✗" in run.stdout or "mulin:" in run.stderr


def test_cli_check_exit_codes(sound: Paths) -> None:
    hubin = sound

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "app", "--data-dir",
                               str(hubin.data_dir), "check"],
                              capture_output=True, text=True, timeout=120)

    db.close()
    ok = run()
    assert ok.returncode == 0 and "检查通过" in ok.stdout
    db.connect()
    _open_case_to_closed()
    db.close()
    bad = run()
    assert bad.returncode == 1 and "诉求状态与事件不符" in bad.stdout
