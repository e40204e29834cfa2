"""The hub applies uploads of different communities side by side and those of one
community one after the other, each exactly once (issue 15): a real ``mulin hub serve``
on loopback, real PostgreSQL, Hubin's advisory lock held from outside to hold Hubin's
uploads back while Dongting's goes through."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from app import store
from app.config import Paths
from app.services.hub import database as hubdb
from app.services.hub import files, tokens
from app.services.station import identity as station
from app.services.sync import exchange, keys
from models.places import Community
from tests.hub_support import PASSPHRASE, Cluster, Street, close_station, copy_station
from tests.test_hub_network import ROOT, Served, _free_port, _post, _wait_up


@pytest.fixture(scope="module")
def street_hub(pg_cluster: Cluster, hub_street: dict[str, Street]) -> Iterator[Served]:
    """A hub holding all of Hubin and Dongting (by file), serving on loopback."""
    db_url = pg_cluster.create_database()
    hubdb.init(db_url)
    made: dict[str, str] = {}
    for prefix, key in (("JA", "hubin"), ("JB", "dongting")):
        joined = hubdb.join(keys.read_key_file(hub_street[key].key, PASSPHRASE), "街道", prefix)
        made[key] = tokens.add(joined, "演示站")
        made[key + "-laptop"] = tokens.add(joined, "笔记本")
    files.import_files([s.bundle for s in hub_street.values()])
    hubdb.close()
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "app", "hub", "serve", "--db", db_url,
                             "--listen", f"127.0.0.1:{port}"], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_up(url, proc)
        yield Served(url, db_url, made)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _renamed(street: Street, root: Path, name: str) -> tuple[bytes, str]:
    """A copy of the street's station with its community renamed: its bundle, its id."""
    paths = copy_station(street, root)
    station.open_station(paths)
    try:
        with store.write() as tx:
            tx.update(Community, Community.select().first().id, name=name)
        data, _ = exchange.build(False)
        return data, store.context().station_id
    finally:
        close_station()


def _laptop(street: Street, root: Path) -> tuple[bytes, str]:
    """A newly joined Hubin laptop's first bundle (its own registration): its id."""
    sealed = keys.read_key_file(street.key, PASSPHRASE)
    station.join_community(Paths(root), sealed, "笔记本2", "LB")
    try:
        data, _ = exchange.build(False)
        return data, store.context().station_id
    finally:
        close_station()


def _count(db_url: str, key: Path, sql: str, *params: object) -> int:
    schema = hubdb.schema_for(keys.read_key_file(key, PASSPHRASE).community_id)
    with psycopg.connect(db_url) as conn:
        conn.execute(f'SET search_path TO "{schema}"')
        return int(conn.execute(sql, params).fetchone()[0])  # type: ignore[index]


def _wait_for_a_waiter(conn: psycopg.Connection[Any]) -> None:
    for _ in range(600):
        waiting = conn.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                               "AND NOT granted").fetchone()
        if waiting and waiting[0]:
            return
        time.sleep(0.1)
    raise AssertionError("no upload came to wait for the community's lock")


def test_one_communitys_uploads_queue_while_anothers_goes_through(
        street_hub: Served, hub_street: dict[str, Street], tmp_path: Path) -> None:
    hubin, dongting = hub_street["hubin"], hub_street["dongting"]
    desk, _ = _renamed(hubin, tmp_path / "h", "湖滨社区（改）")
    laptop, laptop_id = _laptop(hubin, tmp_path / "lap")
    other, _ = _renamed(dongting, tmp_path / "d", "东亭社区（改）")
    changes, received = "SELECT count(*) FROM change", "SELECT count(*) FROM received_bundle"
    before = _count(street_hub.db_url, hubin.key, changes)
    bundles = _count(street_hub.db_url, hubin.key, received)

    schema = hubdb.schema_for(keys.read_key_file(hubin.key, PASSPHRASE).community_id)
    holder = psycopg.connect(street_hub.db_url, autocommit=True)
    holder.execute("SELECT pg_advisory_lock(hashtext(%s))", (schema,))  # Hubin is busy
    answers: dict[str, int] = {}
    uploads = [threading.Thread(target=lambda n=n, d=d: answers.update(
                   {n: _post(street_hub.url, street_hub.tokens[n], d)[0]}))
               for n, d in (("hubin", desk), ("hubin-laptop", laptop))]
    try:
        for upload in uploads:
            upload.start()
        _wait_for_a_waiter(holder)  # a Hubin upload waits for Hubin's lock
        started = time.monotonic()
        assert _post(street_hub.url, street_hub.tokens["dongting"], other) == (200, "")
        assert time.monotonic() - started < 60
        assert answers == {} and all(u.is_alive() for u in uploads)  # still held back
    finally:
        holder.execute("SELECT pg_advisory_unlock(hashtext(%s))", (schema,))
        holder.close()
    for upload in uploads:
        upload.join(timeout=120)
    assert answers == {"hubin": 200, "hubin-laptop": 200}
    # each applied exactly once: the desk's one new change and the laptop's registration
    assert _count(street_hub.db_url, hubin.key, changes) == before + 2
    assert _count(street_hub.db_url, hubin.key,
                  "SELECT count(*) FROM change WHERE origin = %s", laptop_id) == 1
    assert _count(street_hub.db_url, hubin.key,
                  "SELECT count(*) FROM community WHERE name = %s", "湖滨社区（改）") == 1
    assert _count(street_hub.db_url, hubin.key, received) == bundles + 2
    assert _count(street_hub.db_url, hubin.key,
                  "SELECT count(*) FROM received_bundle WHERE source = %s", laptop_id) == 1
    assert _count(street_hub.db_url, dongting.key,
                  "SELECT count(*) FROM community WHERE name = %s", "东亭社区（改）") == 1


def test_a_failing_hub_database_is_a_503_with_its_reason(
        street_hub: Served, hub_street: dict[str, Street], tmp_path: Path) -> None:
    from app.services.hub import network

    data, _ = _renamed(hub_street["hubin"], tmp_path / "h", "湖滨社区（再改）")
    schema = hubdb.schema_for(keys.read_key_file(hub_street["hubin"].key,
                                                 PASSPHRASE).community_id)
    with psycopg.connect(street_hub.db_url, autocommit=True) as conn:
        conn.execute(f'ALTER TABLE "{schema}".received_bundle RENAME TO gone')
        hubdb.open_hub(street_hub.db_url)
        try:
            answer = network.exchange_bundle(street_hub.tokens["hubin"], data)
        finally:
            hubdb.close()
            conn.execute(f'ALTER TABLE "{schema}".gone RENAME TO received_bundle')
    assert answer.status == 503
    assert answer.reason.startswith("枢纽的数据库出错") and "received_bundle" in answer.reason


def test_the_hub_keeps_few_idle_workers_and_never_stops_a_busy_one() -> None:
    """A district hub stays bounded: beyond ``keep`` idle workers the one idle the longest
    is stopped when another community needs one, never one applying an upload."""
    from app.services.hub.workers import Workers

    pool = Workers("postgresql://unused", keep=2)
    try:
        for community in ("hubin", "dongting"):
            pool._take(community)
            pool._give_back(community)
        pool._take("third")
        assert sorted(pool.running()) == ["dongting", "third"]  # hubin idled longest
        pool._take("dongting")  # busy now
        pool._give_back("third")
        pool._take("fourth")
        assert sorted(pool.running()) == ["dongting", "fourth"]
        pool._take("fifth")  # nothing idle to stop: over the cap, not stopping a busy one
        assert sorted(pool.running()) == ["dongting", "fifth", "fourth"]
    finally:
        pool.close()
