"""Shared fixtures: a fixed clock, empty stations, and a generated demo station.

The Hubin demo is generated once per test session into a template file; each test that
needs it gets its own copy (a file, never ``:memory:``, so worker threads see it).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from app import clock, i18n, store
from app.config import Paths
from app.services.station import demo
from app.services.station import identity as station
from models.db import db

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

AS_OF = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=clock.LOCAL_TZ)


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[clock.FixedClock]:
    """Every test runs at 2026-11-25 10:00 Beijing time unless it moves the clock."""
    fixed = clock.FixedClock(NOW)
    clock.set_clock(fixed)
    i18n.set_lang("zh")
    yield fixed
    store.activate(None)
    if not db.is_closed():
        db.close()


@pytest.fixture(autouse=True)
def steady_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inputs and text areas never blink under test: a snapshot taken mid-blink would
    differ from run to run (every other test gains nothing from the blink timer)."""
    from textual.widgets import Input, TextArea

    for widget in (Input, TextArea):
        original = widget.__init__

        def steady(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> None:
            _original(self, *args, **kwargs)
            self.cursor_blink = False

        monkeypatch.setattr(widget, "__init__", steady)


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return Paths(tmp_path / "station")


@pytest.fixture
def empty_station(paths: Paths) -> Paths:
    """An opened database with a station and no content."""
    station.open_station(paths)
    station.create_station("测试站", "TS", "community-test")
    return paths


@pytest.fixture(scope="session")
def hubin_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Hubin demo (seed 1, as of 2026-11-25), generated once per session."""
    clock.set_clock(clock.FixedClock(NOW))
    paths = Paths(tmp_path_factory.mktemp("hubin"))
    station.open_station(paths)
    demo.fill("hubin", 1, AS_OF)
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    store.activate(None)
    return paths.database


@pytest.fixture
def hubin(hubin_template: Path, paths: Paths) -> Paths:
    """A private copy of the Hubin demo station, opened and active."""
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(hubin_template, paths.database)
    station.open_station(paths)
    return paths


# -- the street hub (issue 15): one throwaway PostgreSQL cluster per session -------------
@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[object]:
    from tests.hub_support import running_cluster

    with running_cluster() as cluster:
        yield cluster


@pytest.fixture(scope="session")
def hub_street(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Small Hubin and Dongting demo stations with full bundles and key files."""
    from tests.hub_support import build_street

    clock.set_clock(clock.FixedClock(NOW))
    return dict(build_street(tmp_path_factory.mktemp("street")))
