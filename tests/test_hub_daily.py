"""A station's daily sync with the hub (issue 15): each day's upload carries that day's
work, planned against what the hub holds, whatever other peers the station once heard of."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app import store
from app.cli import main
from app.config import Paths
from app.services.station import identity as station
from app.services.sync import keys
from tests.hub_support import PASSPHRASE, Cluster, Street, close_station
from tests.test_hub_network import Served, serve_hubin


@pytest.fixture(scope="module")
def own_hub(pg_cluster: Cluster, hub_street: dict[str, Street]) -> Iterator[Served]:
    """A hub of its own holding all of Hubin (by file), serving on loopback."""
    yield from serve_hubin(pg_cluster, hub_street)


def _edit_phones(paths: Paths, n: int, day: int) -> None:
    """``n`` stamped changes at the station: residents' phones corrected."""
    from models.places import Resident

    station.open_station(paths)
    try:
        ids = [r.id for r in Resident.select(Resident.id).order_by(Resident.id).limit(n)]
        with store.write() as tx:
            for i, rid in enumerate(ids):
                tx.update(Resident, rid, phone=f"1390{day:03d}{i:04d}")
    finally:
        close_station()


def test_each_days_upload_carries_that_day_not_every_day_since_a_silent_peer(
        own_hub: Served, hub_street: dict[str, Street], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The laptop heard once from the Hubin station (a file), never again: its uploads to
    the hub are planned against what the hub holds, not held down by that silent peer."""
    laptop = Paths(tmp_path / "laptop")
    station.join_community(laptop, keys.read_key_file(hub_street["hubin"].key, PASSPHRASE),
                           "笔记本", "LP")
    close_station()
    data = str(laptop.data_dir)
    assert main(["--data-dir", data, "import", str(hub_street["hubin"].bundle)]) == 0
    sent = []
    for day, n in enumerate((0, 3, 2, 4)):
        if n:
            _edit_phones(laptop, n, day)
        capsys.readouterr()
        assert main(["--data-dir", data, "sync", own_hub.url,
                     "--token", own_hub.tokens["laptop"]]) == 0
        sent.append(capsys.readouterr().out.splitlines()[0])
    assert [line.split("发出 ")[1] for line in sent[1:]] == [
        "3 条变更", "2 条变更", "4 条变更"]  # (the first: the laptop's own station row)
    # by files every peer still counts, the silent one too: all the laptop's 10 changes
    # and the hub's own 1 go into the folder
    assert main(["--data-dir", data, "sync", str(tmp_path / "folder")]) == 0
    assert "：11 条变更，来自 2 个工作站" in capsys.readouterr().out
