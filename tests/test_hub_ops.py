"""Operations at the hub (issue 15, step 5): the street's monthly report and the check."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import clock
from app.cli import main
from app.services.cases import metrics
from app.services.hub import database as hubdb
from app.services.hub import files
from app.services.station import identity as station
from app.services.sync import keys
from models.db import db
from tests.conftest import NOW
from tests.hub_support import PASSPHRASE, Cluster, Street, close_station


@pytest.fixture(scope="module")
def ops_url(pg_cluster: Cluster, hub_street: dict[str, Street]) -> str:
    clock.set_clock(clock.FixedClock(NOW))
    url = pg_cluster.create_database()
    hubdb.init(url)
    hubdb.join(keys.read_key_file(hub_street["hubin"].key, PASSPHRASE), "街道", "JD")
    files.import_files([hub_street["hubin"].bundle])
    hubdb.close()
    return url


def test_the_street_report_has_one_row_per_community_with_the_stations_figures(
        ops_url: str, hub_street: dict[str, Street], tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "street.xlsx"
    assert main(["hub", "report", "--db", ops_url, "--month", "2026-11", "--format", "xlsx",
                 "--output", str(out)]) == 0
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert "2026-11" in str(rows[0][0])
    assert [r[0] for r in rows[2:]] == ["湖滨社区"]
    station.open_station(hub_street["hubin"].paths)
    try:
        from app import store

        at_station = metrics.total(store.context().community_id, metrics.month("2026-11"))
    finally:
        close_station()
    assert rows[2][1] == at_station.received > 0
    assert rows[2][14] == round(at_station.on_time_resolution_rate or 0, 4)
    assert at_station.rated > 0  # every count and rate, ratings included, as at the station
    assert list(rows[2][1:1 + len(metrics.COUNT_NAMES) + len(metrics.RATE_NAMES)]) == \
        metrics._cells(at_station)[1:]


def test_init_gives_an_older_hub_the_desks_index(ops_url: str) -> None:
    import psycopg

    with psycopg.connect(ops_url, autocommit=True) as conn:
        row = conn.execute("SELECT schema_name FROM mulin_hub.hub_community").fetchone()
        assert row is not None
        schema = row[0]
        conn.execute(f'DROP INDEX "{schema}".evaluation_latest_resident')
    assert main(["hub", "init", "--db", ops_url]) == 0
    with psycopg.connect(ops_url) as conn:
        names = {r[0] for r in conn.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = %s", (schema,))}
    assert "evaluation_latest_resident" in names


def test_check_passes_then_names_a_damaged_community(
        ops_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hub", "check", "--db", ops_url]) == 0
    hubdb.open_hub(ops_url)
    hubdb.activate(hubdb.find("湖滨社区"))
    db.execute_sql("DELETE FROM case_event WHERE id IN (SELECT id FROM case_event LIMIT 1)")
    hubdb.close()
    capsys.readouterr()
    assert main(["hub", "check", "--db", ops_url]) == 1
    out = capsys.readouterr().out
    assert "[湖滨社区]" in out and "case_event" in out


def test_a_bad_month_is_one_line(ops_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hub", "report", "--db", ops_url, "--month", "2026-13"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_restore_takes_this_streets_dump_and_refuses_another_streets(
        pg_cluster: Cluster, hub_street: dict[str, Street], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MULIN_PASSPHRASE", PASSPHRASE)
    ours, other = pg_cluster.create_database(), pg_cluster.create_database()
    for url in (ours, other):
        assert main(["hub", "init", "--db", url]) == 0
    assert main(["hub", "join", "--db", ours, str(hub_street["hubin"].key),
                 "--prefix", "JD"]) == 0
    dump = tmp_path / "street.dump"
    assert main(["hub", "backup", "--db", ours, str(dump)]) == 0
    assert main(["hub", "join", "--db", ours, str(hub_street["dongting"].key),
                 "--prefix", "JE"]) == 0

    capsys.readouterr()
    assert main(["hub", "restore", "--db", other, str(dump)]) == 1
    assert "另一个街道" in capsys.readouterr().err
    assert main(["hub", "list", "--db", other]) == 0
    assert capsys.readouterr().out == ""

    assert main(["hub", "restore", "--db", ours, str(dump)]) == 0
    capsys.readouterr()
    assert main(["hub", "list", "--db", ours]) == 0
    assert [line.split("\t")[1] for line in capsys.readouterr().out.splitlines()] == ["JD"]
    assert main(["hub", "join", "--db", ours, str(hub_street["dongting"].key),
                 "--prefix", "JE"]) == 0  # the schema joined after the dump was dropped
    assert main(["hub", "check", "--db", ours]) == 0


def test_tokens_are_shown_once_stored_hashed_and_revocable(
        ops_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    from app.services.hub import tokens

    capsys.readouterr()
    assert main(["hub", "token", "add", "--db", ops_url, "--community", "湖滨社区",
                 "--station", "湖滨工作站"]) == 0
    token = capsys.readouterr().out.strip()
    hubdb.open_hub(ops_url)
    stored = [r[0] for r in db.execute_sql("SELECT token_hash FROM mulin_hub.hub_token")]
    assert tokens.verify(token) is not None and token not in stored
    hubdb.close()
    assert main(["hub", "token", "revoke", "--db", ops_url, "--community", "湖滨社区",
                 "--station", "湖滨工作站"]) == 0
    assert main(["hub", "token", "revoke", "--db", ops_url, "--community", "湖滨社区",
                 "--station", "湖滨工作站"]) == 1
    capsys.readouterr()
    assert main(["hub", "token", "list", "--db", ops_url, "--community", "湖滨社区"]) == 0
    assert "已吊销" in capsys.readouterr().out
    hubdb.open_hub(ops_url)
    assert tokens.verify(token) is None
    hubdb.close()
