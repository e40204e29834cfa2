"""The street office's work (issue 15, step 3): an escalated case signed and resolved at
the hub reaches the station; a 12345 order entered at the street is handed down."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.cli import main
from app.services.cases import lifecycle
from app.services.hub import database as hubdb
from app.services.station import identity as station
from app.services.station import stats
from app.services.sync import exchange
from models.cases import Case
from models.db import db
from tests.hub_support import PASSPHRASE, Cluster, Street, close_station, copy_station


@pytest.fixture
def hub(pg_cluster: Cluster, hub_street: dict[str, Street],
        monkeypatch: pytest.MonkeyPatch) -> str:
    url = pg_cluster.create_database()
    monkeypatch.setenv(hubdb.ENV_DB, url)
    monkeypatch.setenv("MULIN_PASSPHRASE", PASSPHRASE)
    assert main(["hub", "init"]) == 0
    assert main(["hub", "join", str(hub_street["hubin"].key), "--prefix", "JD"]) == 0
    return url


def _escalate_one(paths: object) -> str:
    """At the station: a grid case its handler had begun, escalated to the street (the
    handler lets it go, the street can sign it); returns its number."""
    station.open_station(paths)  # type: ignore[arg-type]
    new = lifecycle.intake({"category": "110", "subcategory": "power_cut",
                            "description": "12栋整栋停电", "place": "12栋"})
    lifecycle.act(new.id, "responded")
    lifecycle.act(new.id, "dispatched", to="李伟友")
    lifecycle.act(new.id, "signed")
    lifecycle.act(new.id, "started")
    lifecycle.act(new.id, "escalated", "网格无法解决")
    assert (lifecycle.current(new.id).state, lifecycle.current(new.id).handler) == \
        ("returned", "")
    lifecycle.act(new.id, "escalated", "需街道协调供电所")
    assert lifecycle.current(new.id).level == "street"
    return new.number


def _hub_change_count(url: str) -> int:
    hubdb.open_hub(url)
    try:
        hubdb.activate(hubdb.communities()[0])
        return int(db.execute_sql("SELECT count(*) FROM change").fetchone()[0])
    finally:
        hubdb.close()


def test_signed_and_resolved_at_the_hub_reaches_the_station(
        hub: str, hub_street: dict[str, Street], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    paths = copy_station(hub_street["hubin"], tmp_path / "hubin")
    number = _escalate_one(paths)
    exchange.export_bundle(tmp_path / "up.mulin")
    close_station()
    assert main(["hub", "import", str(tmp_path / "up.mulin")]) == 0
    capsys.readouterr()
    assert main(["hub", "queue"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith(number))
    assert "湖滨社区" in line and "街道" in line

    before = _hub_change_count(hub)
    assert main(["hub", "act", number, "resolve"]) == 1  # not signed yet, and no result
    assert _hub_change_count(hub) == before
    assert main(["hub", "act", number, "sign"]) == 0
    assert main(["hub", "act", number, "resolve", "--note", "协调供电所更换线路"]) == 0
    capsys.readouterr()
    assert main(["hub", "queue"]) == 0
    assert number not in capsys.readouterr().out

    assert main(["hub", "export", "--community", "湖滨社区", str(tmp_path / "down.mulin")]) == 0
    station.open_station(paths)
    [result] = exchange.import_files([tmp_path / "down.mulin"])
    assert result.status == "applied"
    case = Case.get(Case.number == number)
    assert (case.state, lifecycle.current(case.id).state) == ("resolved", "resolved")
    station_digest = stats.digest()
    close_station()
    capsys.readouterr()
    assert main(["hub", "stats", "--community", "湖滨社区", "--digest"]) == 0
    assert capsys.readouterr().out.strip() == station_digest


def test_a_street_order_handed_down_appears_at_the_station(
        hub: str, hub_street: dict[str, Street], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hub", "import", str(hub_street["hubin"].bundle)]) == 0
    capsys.readouterr()
    assert main(["hub", "order", "--community", "湖滨社区", "--description",
                 "12345：常阳小区路灯不亮", "--place", "常阳小区"]) == 0
    found = re.search(r"JD-\d{8}-\d{3}", capsys.readouterr().out)
    assert found is not None
    number = found.group(0)
    assert main(["hub", "act", number, "dispatch", "--note", "请社区三日内处理"]) == 0
    assert main(["hub", "export", "--community", "湖滨社区", str(tmp_path / "down.mulin")]) == 0
    paths = copy_station(hub_street["hubin"], tmp_path / "hubin")
    station.open_station(paths)
    exchange.import_files([tmp_path / "down.mulin"])
    case = Case.get(Case.number == number)
    assert (case.level, case.place, case.channel) == ("community", "常阳小区", "referred")
    assert case.state in lifecycle.OPEN_STATES
    close_station()
