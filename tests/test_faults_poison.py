"""Issue 18: an authenticated bundle that cannot be applied is refused whole, named,
moved to ``rejected/``, and never blocks the good bundles of the folder or our export."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from app import store
from app.services.sync import bundle, exchange, keys
from app.services.trust import check
from models.db import db
from models.places import Resident
from models.sync import Station
from tests.sync_support import Net, seed_content

EVIL = "0e0e0e0e-0000-4000-8000-000000000000"


def _change(seq: int, table: str, row_id: str, op: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "origin": EVIL, "seq": seq,
            "hlc": store.context().hlc.tick(), "table": table, "row_id": row_id, "op": op,
            "data": data, "operator": "", "base": ""}


def _seal(path: Path, changes: list[dict[str, Any]]) -> Path:
    """A bundle sealed with the right community key, from the active station."""
    n = len(changes)
    header = exchange._header({EVIL: n}, {EVIL: 0}, n)
    path.write_bytes(bundle.encode(header, iter(changes), keys.load_key()))
    return path


def _resident_insert() -> dict[str, Any]:
    row = db.execute_sql("SELECT data FROM change WHERE \"table\" = 'resident' "
                         "AND op = 'insert' LIMIT 1").fetchone()
    return dict(json.loads(row[0]))


@pytest.fixture
def net(tmp_path: Path) -> Net:
    net = Net(tmp_path / "net")
    net.add("desk", "DT")
    seed_content()
    net.add("lap", "LA")
    net.import_("lap", net.export("desk", tmp_path / "seed.mulin", full=True))
    return net


def _poison(kind: str, net: Net) -> list[dict[str, Any]]:
    net.use("lap")
    lap_id = store.context().station_id
    net.use("desk")
    if kind == "unknown_row":
        return [_change(1, "resident", str(uuid.uuid4()), "update", {"name": "不存在的人"})]
    if kind == "missing_parent":
        data = _resident_insert()
        data.update(id=str(uuid.uuid4()), household=str(uuid.uuid4()), name="无家可归")
        return [_change(1, "resident", data["id"], "insert", data)]
    assert kind == "station"
    return [_change(1, "station", lap_id, "update", {"prefix": "XX"})]


@pytest.mark.parametrize("kind", ["unknown_row", "missing_parent", "station"])
def test_a_poisoned_bundle_is_moved_aside_and_the_good_one_applied(
        net: Net, tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "usb"
    folder.mkdir()
    changes = _poison(kind, net)
    _seal(folder / "a-poison.mulin", changes)
    with store.write() as tx:  # something new at the desk: the good bundle
        tx.update(Resident, Resident.select().first().id, name="新名字")
    net.export("desk", folder / "b-good.mulin")
    net.use("lap")
    before_prefix = Station.get_by_id(store.context().station_id).prefix
    result = exchange.sync_folder(folder)
    by_name = {Path(r.path).name: r for r in result.imports}
    refused = by_name["a-poison.mulin"]
    assert refused.status == "refused"
    assert changes[0]["row_id"] in refused.reason and changes[0]["table"] in refused.reason
    assert (folder / "rejected" / "a-poison.mulin").exists()
    assert not (folder / "a-poison.mulin").exists()
    assert by_name["b-good.mulin"].status == "applied"
    assert result.exported is not None and Path(result.exported.path).exists()
    assert Resident.select().where(Resident.name == "新名字").count() == 1
    assert db.execute_sql("SELECT count(*) FROM change WHERE origin = ?",
                          (EVIL,)).fetchone()[0] == 0
    assert Station.get_by_id(store.context().station_id).prefix == before_prefix
    assert check.run() == []
    again = exchange.sync_folder(folder)  # the next run does not meet it again
    assert all(r.status != "refused" for r in again.imports)


def test_a_poisoned_bundle_on_the_command_line_is_one_line(net: Net, tmp_path: Path) -> None:
    from tests.test_sync_cli import mulin

    folder = tmp_path / "usb"
    folder.mkdir()
    _seal(folder / "poison.mulin", _poison("unknown_row", net))
    net.export("desk", folder / "good.mulin")
    db.close()
    store.activate(None)
    done = mulin(net.paths["lap"].data_dir, "sync", str(folder))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "修改的记录在本站不存在" in done.stdout and "rejected" in done.stdout
    assert (folder / "rejected" / "poison.mulin").exists()
