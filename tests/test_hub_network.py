"""Bundles over HTTP (issue 15, step 2): a real ``mulin hub serve`` on loopback, real
PostgreSQL, stations running ``mulin sync http://…``."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.cli import main
from app.services.hub import database as hubdb
from app.services.hub import files, tokens
from app.services.station import identity as station
from app.services.station import stats
from app.services.sync import exchange, keys
from models.db import db
from tests.hub_support import PASSPHRASE, Cluster, Street, close_station, copy_station

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Served:
    url: str
    db_url: str
    tokens: dict[str, str]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_up(url: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(100):
        if proc.poll() is not None:
            raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "server died")
        try:
            urllib.request.urlopen(url + "/v1/health", timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("hub did not start")


def serve_hubin(pg_cluster: Cluster, hub_street: dict[str, Street]) -> Iterator[Served]:
    """A new hub holding all of Hubin (by file), serving on loopback, a token for a laptop
    (the body of the module fixtures of the tests that sync a station with a hub)."""
    db_url = pg_cluster.create_database()
    hubdb.init(db_url)
    joined = hubdb.join(keys.read_key_file(hub_street["hubin"].key, PASSPHRASE), "街道", "JA")
    files.import_files([hub_street["hubin"].bundle])
    token = tokens.add(joined, "笔记本")
    hubdb.close()
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "app", "hub", "serve", "--db", db_url,
                             "--listen", f"127.0.0.1:{port}"], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_up(url, proc)
        yield Served(url, db_url, {"laptop": token})
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def served(pg_cluster: Cluster, hub_street: dict[str, Street]) -> Iterator[Served]:
    """A hub that joined both communities, with a token per station, serving on loopback."""
    db_url = pg_cluster.create_database()
    hubdb.init(db_url)
    made: dict[str, str] = {}
    for prefix, key in (("JA", "hubin"), ("JB", "dongting")):
        joined = hubdb.join(keys.read_key_file(hub_street[key].key, PASSPHRASE), "街道", prefix)
        made[key] = tokens.add(joined, "演示站")
        made[key + "-laptop"] = tokens.add(joined, "笔记本")
    hubin = next(c for c in hubdb.communities() if c.prefix == "JA")
    made["revoked"] = tokens.add(hubin, "旧")
    tokens.revoke(hubin, "旧")
    hubdb.close()
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "app", "hub", "serve", "--db", db_url,
                             "--listen", f"127.0.0.1:{port}", "--max-upload", "2"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_up(url, proc)
        yield Served(url, db_url, made)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _hub_state(db_url: str) -> dict[str, tuple[str, int]]:
    """Per community: digest and change count, read straight from PostgreSQL."""
    hubdb.open_hub(db_url)
    try:
        out = {}
        for c in hubdb.communities():
            digest = files.digest(c)
            out[c.id] = (digest, int(db.execute_sql("SELECT count(*) FROM change").fetchone()[0]))
        return out
    finally:
        hubdb.close()


def _station_digest(paths: object) -> str:
    station.open_station(paths)  # type: ignore[arg-type]
    try:
        return stats.digest()
    finally:
        close_station()


def _post(url: str, token: str, body: bytes) -> tuple[int, str]:
    request = urllib.request.Request(url + "/v1/bundle", data=body, method="POST",
                                     headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())["reason"]


def test_stations_sync_over_http_and_a_new_laptop_gets_everything(
        served: Served, hub_street: dict[str, Street], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    hubin = copy_station(hub_street["hubin"], tmp_path / "hubin")
    dongting = copy_station(hub_street["dongting"], tmp_path / "dongting")
    assert main(["--data-dir", str(dongting.data_dir), "sync", served.url,
                 "--token", served.tokens["dongting"]]) == 0
    assert main(["--data-dir", str(hubin.data_dir), "sync", served.url,
                 "--token", served.tokens["hubin"]]) == 0
    assert "已与枢纽" in capsys.readouterr().out
    state = _hub_state(served.db_url)
    assert sorted(d for d, _n in state.values()) == sorted(
        s.digest for s in hub_street.values())

    sealed = keys.read_key_file(hub_street["hubin"].key, PASSPHRASE)
    laptop = tmp_path / "laptop"
    from app.config import Paths

    station.join_community(Paths(laptop), sealed, "笔记本", "LP")
    close_station()
    os.environ["MULIN_HUB_TOKEN"] = served.tokens["hubin-laptop"]
    try:
        assert main(["--data-dir", str(laptop), "sync", served.url]) == 0
    finally:
        del os.environ["MULIN_HUB_TOKEN"]
    assert _station_digest(Paths(laptop)) == hub_street["hubin"].digest


def _bundle_of(street: Street, tmp_path: Path, name: str) -> bytes:
    paths = copy_station(street, tmp_path / name)
    station.open_station(paths)
    try:
        data, _ = exchange.build(True)
        return data
    finally:
        close_station()


def _declare_too_big(url: str, token: str) -> int:
    """An upload announcing 3 MB to a hub that takes 2: refused before any body is read."""
    import http.client

    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.putrequest("POST", "/v1/bundle")
        conn.putheader("Authorization", f"Bearer {token}")
        conn.putheader("Content-Length", str(3 * 1024 * 1024))
        conn.endheaders()
        return conn.getresponse().status
    finally:
        conn.close()


def test_bad_tokens_bundles_and_foreign_communities_change_nothing(
        served: Served, hub_street: dict[str, Street], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    before = _hub_state(served.db_url)
    data = _bundle_of(hub_street["hubin"], tmp_path, "h")
    assert _post(served.url, "nonsense", data)[0] == 401
    assert _post(served.url, served.tokens["revoked"], data)[0] == 401
    status, reason = _post(served.url, served.tokens["dongting"], data)
    assert (status, "未加入" in reason) == (403, True)
    assert _post(served.url, served.tokens["hubin"], data[:-50])[0] == 400
    tampered = bytearray(data)
    tampered[-10] ^= 0xFF
    assert _post(served.url, served.tokens["hubin"], bytes(tampered))[0] == 400
    assert _declare_too_big(served.url, served.tokens["hubin"]) == 413
    assert _hub_state(served.db_url) == before

    assert _post(served.url, served.tokens["hubin"], data)[0] == 200
    after = _hub_state(served.db_url)
    status, reason = _post(served.url, served.tokens["hubin"], data)
    assert (status, "重放" in reason) == (409, True)
    assert _hub_state(served.db_url) == after

    copy = copy_station(hub_street["hubin"], tmp_path / "cli")
    capsys.readouterr()
    assert main(["--data-dir", str(copy.data_dir), "sync", served.url, "--token", "bad"]) == 1
    err = capsys.readouterr().err
    assert "401" in err and err.count("\n") == 1


def test_a_cut_upload_applies_nothing_and_the_next_sync_completes(
        served: Served, hub_street: dict[str, Street], tmp_path: Path) -> None:
    copy = copy_station(hub_street["dongting"], tmp_path / "d")
    station.open_station(copy)
    from app import store
    from models.places import Community

    with store.write() as tx:
        tx.update(Community, Community.select().first().id, name="东亭社区（改）")
    data, _ = exchange.build(False)
    close_station()
    before = _hub_state(served.db_url)
    port = int(served.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(b"POST /v1/bundle HTTP/1.1\r\nHost: hub\r\n"
                  + f"Authorization: Bearer {served.tokens['dongting']}\r\n".encode()
                  + f"Content-Length: {len(data)}\r\n\r\n".encode() + data[: len(data) // 2])
    time.sleep(0.5)
    assert _hub_state(served.db_url) == before
    assert main(["--data-dir", str(copy.data_dir), "sync", served.url,
                 "--token", served.tokens["dongting"]]) == 0
    assert _station_digest(copy) in {d for d, _n in _hub_state(served.db_url).values()}


def test_an_unreachable_hub_falls_back_to_the_folder(
        hub_street: dict[str, Street], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy = copy_station(hub_street["hubin"], tmp_path / "h")
    folder = tmp_path / "usb"
    dead = f"http://127.0.0.1:{_free_port()}"
    assert main(["--data-dir", str(copy.data_dir), "sync", dead, "--token", "t",
                 "--fallback", str(folder)]) == 0
    assert "无法连接" in capsys.readouterr().out
    assert [p.name[:9] for p in folder.glob("*.mulin")] == ["mulin-HB-"]
