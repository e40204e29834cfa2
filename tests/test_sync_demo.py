"""A laptop seeded from the Hubin demo holds exactly the desk's content: every table's
records pass their schemas, derived caches are recomputed, the digests agree."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import store
from app.config import Paths
from app.services.station import stats
from app.services.station.identity import create_station, open_station
from app.services.sync import exchange
from fixtures import demo
from models.db import db


def test_full_bundle_of_the_demo_seeds_a_laptop(hubin: Paths, tmp_path: Path) -> None:
    desk_digest = stats.digest()
    seed = tmp_path / "hubin.mulin"
    exported = exchange.export_bundle(seed, full=True)
    assert exported.changes > 30_000
    store.activate(None)
    db.close()
    open_station(Paths(tmp_path / "laptop"))
    create_station("笔记本", "LA", demo.community_id("hubin", 1))
    (result,) = exchange.import_files([seed])
    assert result.status == "applied" and result.new > 30_000 and result.conflicts == 0
    assert stats.digest() == desk_digest
    assert exchange.import_files([seed])[0].status == "already"


def test_a_seed_past_the_remembered_ids_asks_the_tables_again(
        hubin: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An import into empty tables remembers what it inserted instead of asking; past
    ``FRESH_IDS`` it asks again, and the result is the same content."""
    from app.services.sync import merge

    monkeypatch.setattr(merge, "FRESH_IDS", 1_000)
    desk_digest = stats.digest()
    seed = tmp_path / "hubin.mulin"
    exchange.export_bundle(seed, full=True)
    store.activate(None)
    db.close()
    open_station(Paths(tmp_path / "laptop"))
    create_station("笔记本", "LA", demo.community_id("hubin", 1))
    (result,) = exchange.import_files([seed])
    assert result.status == "applied" and result.new > 30_000 and result.conflicts == 0
    assert stats.digest() == desk_digest
