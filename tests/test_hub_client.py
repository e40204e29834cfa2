"""``mulin sync http://…`` imports the hub's answer as ``mulin import`` imports a file
(issue 15): the rollback record ``mulin undo-import`` takes back, the free-space check,
waiting for a busy database with a message, a poisoned answer moved aside, and one clear
line when the hub cannot be reached and the folder is used instead."""

from __future__ import annotations

import http.server
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from app import store
from app.cli import main
from app.config import Paths
from app.services.hub import client
from app.services.station import identity as station
from app.services.sync import bundle, exchange, keys
from tests.hub_support import PASSPHRASE, Street, close_station, copy_station
from tests.test_hub_network import Served, _free_port, _hub_state, _station_digest
from tests.test_hub_sync_screen import hub_with_hubin

__all__ = ["hub_with_hubin"]  # the served hub fixture, shared with the sync screen's tests


def _laptop(street: Street, root: Path) -> Paths:
    """A new, empty station of Hubin (no operators)."""
    paths = Paths(root)
    station.join_community(paths, keys.read_key_file(street.key, PASSPHRASE), "笔记本", "LP")
    close_station()
    return paths


def _sync(paths: Paths, url: str, *extra: str) -> int:
    return main(["--data-dir", str(paths.data_dir), "sync", url, *extra])


def test_the_hubs_answer_is_undone_by_undo_import_and_comes_again(
        hub_with_hubin: Served, hub_street: dict[str, Street], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    laptop = _laptop(hub_street["hubin"], tmp_path / "laptop")
    empty = _station_digest(laptop)
    token = hub_with_hubin.tokens["laptop"]
    assert _sync(laptop, hub_with_hubin.url, "--token", token) == 0
    assert _station_digest(laptop) == hub_street["hubin"].digest
    assert list((laptop.data_dir / client.ANSWERS).glob("*.mulin")) == []  # not left behind
    capsys.readouterr()
    assert main(["--data-dir", str(laptop.data_dir), "undo-import"]) == 0
    out = capsys.readouterr().out
    assert "已撤销导入" in out and "/hub/from-127.0.0.1_" in out  # names the answer
    assert _station_digest(laptop) == empty
    assert _sync(laptop, hub_with_hubin.url, "--token", token) == 0  # the next sync resumes
    assert _station_digest(laptop) == hub_street["hubin"].digest


def test_a_full_disk_sends_nothing_and_says_why_on_one_line(
        hub_with_hubin: Served, hub_street: dict[str, Street], tmp_path: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from app.services.trust import backup

    laptop = copy_station(hub_street["hubin"], tmp_path / "h")
    before = _hub_state(hub_with_hubin.db_url)
    monkeypatch.setattr(backup, "IMPORT_ROOM", 1 << 60)
    capsys.readouterr()
    assert _sync(laptop, hub_with_hubin.url, "--token", hub_with_hubin.tokens["laptop"]) == 1
    err = capsys.readouterr().err
    assert "导入前检查未通过" in err and "磁盘已满" in err and err.count("\n") == 1
    assert _hub_state(hub_with_hubin.db_url) == before


def test_a_busy_station_waits_with_a_message_then_syncs(
        hub_with_hubin: Served, hub_street: dict[str, Street], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    laptop = _laptop(hub_street["hubin"], tmp_path / "laptop")
    other = sqlite3.connect(laptop.database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    done: list[int] = []
    worker = threading.Thread(target=lambda: done.append(
        _sync(laptop, hub_with_hubin.url, "--token", hub_with_hubin.tokens["laptop"])))
    worker.start()
    seen = ""
    for _ in range(200):
        seen += capsys.readouterr().err
        if "等待导入完成" in seen:
            break
        time.sleep(0.05)
    assert "等待导入完成" in seen and worker.is_alive() and done == []
    other.execute("ROLLBACK")
    other.close()
    worker.join(timeout=120)
    assert done == [0]
    assert _station_digest(laptop) == hub_street["hubin"].digest


# -- a poisoned answer ----------------------------------------------------------------------
def _poisoned_answer(street: Street, root: Path) -> tuple[Paths, bytes]:
    """A Hubin station and an answer sealed with Hubin's key that updates a row the
    station never had (authentic, but it cannot be applied)."""
    paths = copy_station(street, root)
    station.open_station(paths)
    try:
        evil = str(uuid.uuid4())
        change = {"id": str(uuid.uuid4()), "origin": evil, "seq": 1,
                  "hlc": store.context().hlc.tick(), "table": "resident",
                  "row_id": str(uuid.uuid4()), "op": "update", "data": {"name": "不存在的人"},
                  "operator": "", "base": ""}
        header = exchange._header({evil: 1}, {evil: 0}, 1)
        header.update(source=evil, source_name="冒充的枢纽 (XX)")
        return paths, bundle.encode(header, iter([change]), keys.load_key())
    finally:
        close_station()


@contextmanager
def _stand_in_hub(answer: bytes, delay: float = 0.0) -> Iterator[str]:
    """A stand-in hub on loopback answering every upload with ``answer`` after ``delay``."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self._reply(b'{"status": "ok"}')

        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            time.sleep(delay)
            self._reply(answer)

        def _reply(self, body: bytes) -> None:
            try:
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass  # the station stopped waiting

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def poisoning_hub(hub_street: dict[str, Street], tmp_path: Path) -> Iterator[tuple[str, Paths]]:
    """A stand-in hub that answers every upload with a poisoned bundle."""
    paths, answer = _poisoned_answer(hub_street["hubin"], tmp_path / "h")
    with _stand_in_hub(answer) as url:
        yield url, paths


def test_a_poisoned_answer_is_refused_whole_and_moved_aside(
        poisoning_hub: tuple[str, Paths], capsys: pytest.CaptureFixture[str]) -> None:
    url, paths = poisoning_hub
    before = _station_digest(paths)
    capsys.readouterr()
    assert _sync(paths, url, "--token", "t") == 1
    out = capsys.readouterr().out
    assert "拒绝" in out and "resident" in out
    rejected = list((paths.data_dir / client.ANSWERS / "rejected").glob("*.mulin"))
    assert [p.name[:15] for p in rejected] == ["from-127.0.0.1_"]
    assert _station_digest(paths) == before


# -- the hub cannot be reached ----------------------------------------------------------------
def test_an_unreachable_hub_says_so_on_one_line_and_uses_the_folder(
        hub_street: dict[str, Street], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = copy_station(hub_street["hubin"], tmp_path / "h")
    dead = f"http://127.0.0.1:{_free_port()}"
    folder = tmp_path / "usb"
    capsys.readouterr()
    assert _sync(paths, dead, "--token", "t") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "连接被拒绝" in err and "--fallback" in err
    assert _sync(paths, dead, "--token", "t", "--fallback", str(folder)) == 0
    said = [line for line in capsys.readouterr().out.splitlines() if "枢纽" in line]
    assert said == [f"无法连接街道枢纽 {dead}：连接被拒绝（枢纽没有运行？）；"
                    f"改用同步文件夹 {folder}"]
    assert [p.name[:9] for p in folder.glob("*.mulin")] == ["mulin-HB-"]


def test_a_hub_that_does_not_answer_in_time_is_named_so(
        hub_street: dict[str, Street], tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    paths = copy_station(hub_street["hubin"], tmp_path / "h")
    monkeypatch.setattr(client, "TIMEOUT_SECONDS", 0.5)
    with _stand_in_hub(b"", delay=3.0) as url:
        capsys.readouterr()
        assert _sync(paths, url, "--token", "t") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"枢纽 {url} 在 0.5 秒内没有应答" in err


def test_a_full_disk_also_stops_the_fallback_folder(
        hub_street: dict[str, Street], tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from app.services.trust import backup

    paths = copy_station(hub_street["hubin"], tmp_path / "h")
    folder = tmp_path / "usb"
    monkeypatch.setattr(backup, "IMPORT_ROOM", 1 << 60)
    dead = f"http://127.0.0.1:{_free_port()}"
    capsys.readouterr()
    assert _sync(paths, dead, "--token", "t", "--fallback", str(folder)) == 1
    assert "磁盘已满" in capsys.readouterr().err
    assert not folder.exists() or list(folder.iterdir()) == []
