"""The community key file, relaying through another laptop, and records from older
stations."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import store
from app.services.station import identity as station
from app.services.sync import bundle, exchange, keys
from models.bundle import ChangeRecord, RecordError, check_record
from models.places import Household, Resident
from models.schema import SCHEMA_VERSION
from models.sync import HeldBundle
from tests.sync_support import Net, seed_content

PASS = "一二三四五六七八 passphrase"


def test_key_file_round_trip_and_refusals() -> None:
    key = keys.new_key()
    sealed = keys.SealedKey("c-1", key, "东亭社区", [{"id": "s1", "name": "办公室",
                                                     "prefix": "DT"}])
    raw = keys.seal(sealed, PASS)
    assert key.hex() not in raw.decode() and "东亭" not in raw.decode()
    opened = keys.unseal(raw, PASS)
    assert (opened.key, opened.community_name, opened.stations) == (
        key, "东亭社区", sealed.stations)
    with pytest.raises(keys.SyncKeyError, match="口令错误"):
        keys.unseal(raw, "wrong passphrase")
    altered = raw.replace(b'"c-1"', b'"c-2"')
    with pytest.raises(keys.SyncKeyError, match="口令错误或密钥文件已被改动"):
        keys.unseal(altered, PASS)
    with pytest.raises(keys.SyncKeyError, match="不是睦邻社区密钥文件"):
        keys.unseal(b"\x00garbage", PASS)
    with pytest.raises(keys.SyncKeyError, match="至少需要 8"):
        keys.seal(sealed, "short")


def test_joining_refuses_a_prefix_in_use(tmp_path: Path) -> None:
    sealed = keys.SealedKey("c-1", keys.new_key(), "", [{"id": "s", "name": "x",
                                                          "prefix": "DT"}])
    from app.config import Paths

    with pytest.raises(station.StationError, match="DT"):
        station.join_community(Paths(tmp_path / "j"), sealed, "笔记本", "dt")


def _three(tmp_path: Path) -> tuple[Net, str]:
    net = Net(tmp_path)
    net.add("desk", "DK")
    rid = seed_content()["residents"][0]
    seed = net.export("desk", tmp_path / "seed.mulin", full=True)
    for name, prefix in (("lap1", "LA"), ("lap2", "LB")):
        net.add(name, prefix)
        net.import_(name, seed)
    return net, rid


def test_hand_to_hand_a_laptop_carries_the_desks_changes(tmp_path: Path) -> None:
    net, rid = _three(tmp_path)
    for lap in ("lap1", "lap2"):  # both laptops have synced with the desk before
        net.import_("desk", net.export(lap, tmp_path / f"{lap}-hello.mulin"))
    net.use("desk")
    with store.write() as tx:
        tx.update(Resident, rid, name="经手相传")
    net.import_("lap1", net.export("desk", tmp_path / "d.mulin"))  # relays lap2's acks
    via = net.import_("lap2", net.export("lap1", tmp_path / "l1.mulin"))[0]
    assert via.status == "applied" and via.updated == 1
    net.use("lap2")
    assert Resident.get_by_id(rid).name == "经手相传"


def test_first_hand_to_hand_contact_asks_once_then_fills_the_gap(tmp_path: Path) -> None:
    net, rid = _three(tmp_path)
    net.use("desk")
    with store.write() as tx:
        tx.update(Resident, rid, name="初次见面")
    net.import_("lap1", net.export("desk", tmp_path / "d.mulin"))
    first = net.import_("lap2", net.export("lap1", tmp_path / "l1.mulin"))[0]
    assert first.status == "blocked" and "desk (DK)" in first.missing[0].text()
    net.import_("lap1", net.export("lap2", tmp_path / "answer.mulin"))
    second = net.import_("lap2", net.export("lap1", tmp_path / "l1b.mulin"))[0]
    assert second.status == "applied"
    assert net.digest("lap2") == net.digest("desk")


def _insert(data: dict[str, object]) -> ChangeRecord:
    return ChangeRecord(id="c", origin="o", seq=1, hlc="001795572000000-000001",
                        table="household", row_id="h1", op="insert", data=data)


def test_an_older_station_may_leave_out_columns_that_have_defaults() -> None:
    check_record(_insert({"id": "h1", "building": "b1", "room": "101"}), Household)
    with pytest.raises(RecordError, match="room"):
        check_record(_insert({"id": "h1", "building": "b1"}), Household)
    with pytest.raises(RecordError, match="unknown"):
        check_record(_insert({"id": "h1", "building": "b1", "room": "1", "x": 1}), Household)


def test_a_bundle_from_a_newer_schema_is_refused(tmp_path: Path) -> None:
    net = Net(tmp_path)
    net.add("desk", "DK")
    raw = net.export("desk", tmp_path / "b.mulin").read_bytes()
    ours = f'"schema_version": {SCHEMA_VERSION}'.encode()
    newer = raw.replace(ours, f'"schema_version": {SCHEMA_VERSION + 1}'.encode(), 1)
    assert newer != raw
    with pytest.raises(bundle.BundleError, match="数据结构更新"):
        bundle.read_header(newer)
    assert exchange.import_files([tmp_path / "missing.mulin"])[0].status == "refused"


def test_a_held_bundle_is_applied_once_the_missing_changes_arrive(tmp_path: Path) -> None:
    net, rid = _three(tmp_path)
    net.use("desk")
    with store.write() as tx:
        tx.update(Resident, rid, name="先到后用")
    desk_bundle = net.export("desk", tmp_path / "d.mulin")
    net.import_("lap1", desk_bundle)
    net.use("lap1")
    with store.write() as tx:
        tx.update(Resident, rid, phone="13600000000")
    early = net.import_("lap2", net.export("lap1", tmp_path / "l1.mulin"))[0]
    assert early.status == "blocked"
    net.use("lap2")
    assert HeldBundle.select().count() == 1
    later = net.import_("lap2", desk_bundle)  # a separate import, another day
    assert [r.status for r in later] == ["applied", "applied"]
    assert HeldBundle.select().count() == 0
    person = Resident.get_by_id(rid)
    assert (person.name, person.phone) == ("先到后用", "13600000000")
    assert net.digest("lap2") == net.digest("lap1")
