"""The street hub by files (issue 15, step 1): two demo communities in one PostgreSQL.

Every test runs against a real throwaway PostgreSQL cluster (tests/hub_support.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from app.config import Paths
from app.services.hub import database as hubdb
from app.services.station import identity as station
from app.services.station import stats
from app.services.sync import exchange, keys
from models.db import db
from tests.hub_support import PASSPHRASE as PASS
from tests.hub_support import Cluster, Street, close_station


@pytest.fixture(scope="module")
def street(hub_street: dict[str, Street]) -> dict[str, Street]:
    return hub_street


@pytest.fixture
def hub_url(pg_cluster: Cluster, street: dict[str, Street],
            monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh hub database that has joined both communities (by the CLI)."""
    url = pg_cluster.create_database()
    monkeypatch.setenv(hubdb.ENV_DB, url)
    monkeypatch.setenv("MULIN_PASSPHRASE", PASS)
    assert main(["hub", "init"]) == 0
    for prefix, c in (("JA", street["hubin"]), ("JB", street["dongting"])):
        assert main(["hub", "join", str(c.key), "--station", "街道", "--prefix", prefix]) == 0
    return url


def _hub_digest(capsys: pytest.CaptureFixture[str], name: str) -> str:
    capsys.readouterr()
    assert main(["hub", "stats", "--community", name, "--digest"]) == 0
    return capsys.readouterr().out.strip()


def test_files_in_any_order_end_with_the_stations_digests(
        street: dict[str, Street], hub_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Hubin first here; the sync-folder test below takes them in the other order
    (dongting.mulin sorts first), and the HTTP test sends Dongting first too."""
    hubin, dongting = street["hubin"], street["dongting"]
    capsys.readouterr()  # (applied one after the other: the demo's bundles are small)
    assert main(["hub", "import", str(hubin.bundle), str(dongting.bundle),
                 str(hubin.bundle)]) == 0
    assert capsys.readouterr().out.count("已导入过") == 1
    assert _hub_digest(capsys, "湖滨社区") == hubin.digest
    assert _hub_digest(capsys, "东亭社区") == dongting.digest
    assert hubin.digest != dongting.digest


def _change_counts() -> list[int]:
    counts = []
    for c in hubdb.communities():
        hubdb.activate(c)
        counts.append(int(db.execute_sql("SELECT count(*) FROM change").fetchone()[0]))
    return counts


def test_a_foreign_or_damaged_bundle_changes_nothing(
        street: dict[str, Street], hub_url: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hub", "import", str(street["hubin"].bundle)]) == 0
    hubdb.open_hub(hub_url)
    before = _change_counts()
    hubdb.close()
    foreign = tmp_path / "foreign.mulin"
    paths = Paths(tmp_path / "elsewhere")
    station.open_station(paths)
    station.create_station("别处", "EW", "community-elsewhere")
    exchange.export_bundle(foreign, full=True)
    close_station()
    cut = tmp_path / "cut.mulin"
    cut.write_bytes(street["dongting"].bundle.read_bytes()[:-100])
    capsys.readouterr()
    assert main(["hub", "import", str(foreign)]) == 1
    assert "未加入" in capsys.readouterr().err
    assert main(["hub", "import", str(cut)]) == 1
    assert capsys.readouterr().err.count("\n") == 1
    hubdb.open_hub(hub_url)
    assert _change_counts() == before
    hubdb.close()


def test_a_laptop_seeded_from_the_hub_holds_the_same_content(
        street: dict[str, Street], hub_url: str, tmp_path: Path) -> None:
    assert main(["hub", "import", str(street["hubin"].bundle)]) == 0
    seed = tmp_path / "from-hub.mulin"
    assert main(["hub", "export", "--community", "湖滨社区", "--full", str(seed)]) == 0
    sealed = keys.read_key_file(street["hubin"].key, PASS)
    laptop = Paths(tmp_path / "laptop")
    station.join_community(laptop, sealed, "笔记本", "LP")
    [result] = exchange.import_files([seed])
    assert result.status == "applied"
    assert stats.digest() == street["hubin"].digest
    close_station()


def test_sync_folder_serves_every_community(
        street: dict[str, Street], hub_url: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "usb"
    folder.mkdir()
    for c in street.values():
        (folder / c.bundle.name).write_bytes(c.bundle.read_bytes())
    assert sorted(p.name for p in folder.iterdir()) == ["dongting.mulin", "hubin.mulin"]
    assert main(["hub", "sync", str(folder)]) == 0
    assert _hub_digest(capsys, "湖滨社区") == street["hubin"].digest
    assert _hub_digest(capsys, "东亭社区") == street["dongting"].digest
    written = sorted(p.name for p in folder.glob("mulin-J*.mulin"))
    assert [n[:9] for n in written] == ["mulin-JA-", "mulin-JB-"]
    capsys.readouterr()
    assert main(["hub", "sync", str(folder)]) == 0
    assert capsys.readouterr().out.count("没有新的内容需要写出") == 2


def test_without_a_database_one_clear_line(monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv(hubdb.ENV_DB, raising=False)
    assert main(["hub", "stats", "--community", "x", "--digest"]) == 1
    err = capsys.readouterr().err
    assert "MULIN_HUB_DB" in err and err.count("\n") == 1


def test_a_bundle_before_the_changes_it_builds_on_is_held_then_applied(
        street: dict[str, Street], hub_url: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    from app import store
    from models.places import Community

    sealed = keys.read_key_file(street["hubin"].key, PASS)
    laptop = Paths(tmp_path / "laptop")
    station.join_community(laptop, sealed, "笔记本", "LP")
    exchange.import_files([street["hubin"].bundle])
    with store.write() as tx:
        tx.update(Community, sealed.community_id, name="湖滨社区（新）")
    late = exchange.export_bundle(tmp_path / "laptop.mulin")
    laptop_digest = stats.digest()
    close_station()

    capsys.readouterr()
    assert main(["hub", "import", late.path]) == 0
    out = capsys.readouterr().out
    assert "已暂存" in out and "范围 1–" in out  # held, and the missing range is named
    assert main(["hub", "import", str(street["hubin"].bundle)]) == 0
    assert _hub_digest(capsys, "湖滨社区（新）") == laptop_digest


def test_communities_side_by_side_a_bad_bundle_refused_on_its_own_line(
        street: dict[str, Street], hub_url: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Two communities' bundles in one import are applied in worker processes side by
    side: a cut Dongting bundle is refused (nothing of Dongting written), Hubin arrives."""
    from app.services.hub import files

    monkeypatch.setattr(files, "SIDE_BY_SIDE_BYTES", 0)  # the demo's bundles are small
    cut = tmp_path / "cut.mulin"
    cut.write_bytes(street["dongting"].bundle.read_bytes()[:-100])
    hubdb.open_hub(hub_url)
    joined = _change_counts()  # the hub's own station in each community
    hubdb.close()
    capsys.readouterr()
    assert main(["hub", "import", str(cut), str(street["hubin"].bundle)]) == 1
    out, err = capsys.readouterr()
    lines = (out + err).strip().splitlines()
    assert lines[0].startswith("cut.mulin") and lines[1].startswith("hubin.mulin")
    assert _hub_digest(capsys, "湖滨社区") == street["hubin"].digest
    hubdb.open_hub(hub_url)
    assert min(_change_counts()) == min(joined)  # Dongting: nothing
    hubdb.close()


def test_an_unexpected_failure_is_one_line_and_the_other_bundles_go_on(
        street: dict[str, Street], hub_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.services.hub import files

    real = exchange.import_files

    def failing(paths: list[Path]) -> list[exchange.ImportResult]:
        if paths[0] == street["dongting"].bundle:
            raise RuntimeError("connection lost")
        return real(paths)

    hubdb.open_hub(hub_url)
    joined = _change_counts()
    monkeypatch.setattr(exchange, "import_files", failing)
    results = files.import_files([street["dongting"].bundle, street["hubin"].bundle],
                                 workers=1)
    assert [r.status for r in results] == ["refused", "applied"]
    assert "connection lost" in results[0].text()
    assert min(_change_counts()) == min(joined)
    hubdb.close()
