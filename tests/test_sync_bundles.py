"""Bundles: refusals leave the database untouched; import is idempotent, order-independent,
names the gaps it cannot fill, keeps conflicts, warns about clock skew, lists duplicates."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from pathlib import Path

import pytest

from app import clock, store
from app.services.station import identity as station
from app.services.sync import bundle, duplicates, exchange, keys, views
from models.bundle import FORMAT
from models.places import Resident
from models.sync import Conflict, Setting, setting_id
from tests.sync_support import Net, checkpoint, file_state, seed_content


@pytest.fixture
def net(tmp_path: Path) -> Net:
    n = Net(tmp_path)
    n.add("desk", "DK")
    n.ids = seed_content()  # type: ignore[attr-defined]
    seed = n.export("desk", tmp_path / "seed.mulin", full=True)
    n.add("lap", "LA")
    assert n.import_("lap", seed)[0].status == "applied"
    return n


def _rid(net: Net, i: int = 0) -> str:
    return net.ids["residents"][i]  # type: ignore[attr-defined]


def _edit(net: Net, who: str, i: int = 0, **values: object) -> None:
    net.use(who)
    with store.write() as tx:
        tx.update(Resident, _rid(net, i), **values)


def test_seeded_laptop_has_the_same_content(net: Net) -> None:
    assert net.digest("desk") == net.digest("lap")


# -- refusals ----------------------------------------------------------------------------
def _variants(good: bytes, tmp: Path) -> dict[str, bytes]:
    rng = random.Random(6)
    flipped = bytearray(good)
    flipped[len(good) - 40] ^= 0x10
    header_flip = bytearray(good)
    header_flip[30] ^= 0x01
    future = good.replace(f'"format": {FORMAT}'.encode(), b'"format": 9', 1)
    assert future != good
    return {
        "truncated": good[: len(good) // 2],
        "bit-flipped body": bytes(flipped),
        "bit-flipped header": bytes(header_flip),
        "future version": future,
        "garbage": bytes(rng.getrandbits(8) for _ in range(500)),
        "empty": b"",
        "not a bundle": "诉求 export.csv\n".encode(),
    }


def test_refused_bundles_say_why_and_change_nothing(net: Net, tmp_path: Path) -> None:
    _edit(net, "desk", phone="13900000000")
    good = net.export("desk", tmp_path / "good.mulin").read_bytes()
    net.use("lap")
    checkpoint()
    before = file_state(net.db_file("lap"))
    reasons = {}
    for label, data in _variants(good, tmp_path).items():
        path = tmp_path / f"{label}.mulin"
        path.write_bytes(data)
        with pytest.raises(bundle.BundleError) as err:
            exchange.import_bundle(path)
        reasons[label] = str(err.value)
        assert "\n" not in reasons[label]
    assert file_state(net.db_file("lap")) == before
    assert "不完整" in reasons["truncated"]
    assert "改动" in reasons["bit-flipped body"]
    assert "新" in reasons["future version"]
    assert "不是睦邻同步包" in reasons["garbage"]


def test_other_community_and_wrong_key_are_refused(net: Net, tmp_path: Path) -> None:
    net.use("desk")
    bundle_other = tmp_path / "other.mulin"
    header = exchange._header({}, {}, 0)
    header["community"] = "another-community"
    bundle_other.write_bytes(bundle.encode(header, [], keys.demo_key("another-community")))
    wrong = tmp_path / "wrong.mulin"
    other_key = keys.new_key()  # same community id, another key (a re-initialised desk)
    header = {**exchange._header({}, {}, 0), "key_id": keys.key_id(other_key)}
    wrong.write_bytes(bundle.encode(header, [], other_key))
    net.use("lap")
    checkpoint()
    before = file_state(net.db_file("lap"))
    with pytest.raises(bundle.BundleError, match="另一个社区"):
        exchange.import_bundle(bundle_other)
    with pytest.raises(bundle.BundleError, match="密钥"):
        exchange.import_bundle(wrong)
    assert file_state(net.db_file("lap")) == before


def test_a_record_that_breaks_its_schema_refuses_the_whole_bundle(net: Net,
                                                                 tmp_path: Path) -> None:
    net.use("desk")
    header = exchange._header({"zz": 2}, {"zz": 0}, 2)
    good = {"id": "c1", "origin": "zz", "seq": 1, "hlc": "001795572000000-000001",
            "table": "resident", "row_id": _rid(net), "op": "update",
            "data": {"phone": "1"}, "operator": "", "base": ""}
    bad = {**good, "id": "c2", "seq": 2, "data": {"birth_date": "yesterday"}}
    path = tmp_path / "bad.mulin"
    path.write_bytes(bundle.encode(header, [good, bad], keys.load_key()))
    net.use("lap")
    checkpoint()
    before = file_state(net.db_file("lap"))
    with pytest.raises(bundle.BundleError, match="第 2 条"):
        exchange.import_bundle(path)
    assert file_state(net.db_file("lap")) == before


# -- idempotence, order, gaps --------------------------------------------------------------
def test_same_bundle_twice_changes_nothing_the_second_time(net: Net, tmp_path: Path) -> None:
    _edit(net, "desk", name="王秀兰")
    b = net.export("desk", tmp_path / "b.mulin")
    first = net.import_("lap", b)[0]
    assert (first.status, first.updated) == ("applied", 1)
    checkpoint()
    before = file_state(net.db_file("lap"))
    again = net.import_("lap", b)[0]
    assert again.status == "already"
    assert file_state(net.db_file("lap")) == before


def test_unacknowledged_changes_are_sent_again_so_order_does_not_matter(
        net: Net, tmp_path: Path) -> None:
    _edit(net, "desk", name="甲")
    b1 = net.export("desk", tmp_path / "b1.mulin")
    _edit(net, "desk", phone="13911112222")
    b2 = net.export("desk", tmp_path / "b2.mulin")
    assert net.import_("lap", b2)[0].status == "applied"  # b2 carries b1's change too
    late = net.import_("lap", b1)[0]
    assert (late.status, late.new, late.updated) == ("applied", 0, 0)
    assert net.digest("lap") == net.digest("desk")


def test_a_gap_names_the_station_and_range_and_applies_nothing(net: Net,
                                                              tmp_path: Path) -> None:
    # lap hears from desk, so desk's next bundles start after what lap acknowledged
    lap_bundle = net.export("lap", tmp_path / "lap.mulin")
    net.import_("desk", lap_bundle)
    _edit(net, "desk", name="乙")
    lost = net.export("desk", tmp_path / "lost.mulin")  # never reaches the laptop
    # a third station joins and hears only the later bundle
    net.add("lap2", "LC")
    seedless = net.export("desk", tmp_path / "later.mulin")
    result = net.import_("lap2", seedless)[0]
    assert result.status == "blocked"
    assert any("DK" in m.station and m.first == 1 for m in result.missing)
    assert "缺少工作站" in result.missing[0].text() and "范围 1–" in result.missing[0].text()
    # lap2 answers; desk then sends everything lap2 lacks
    answer = net.export("lap2", tmp_path / "answer.mulin")
    net.import_("desk", answer)
    refill = net.export("desk", tmp_path / "refill.mulin")
    assert net.import_("lap2", refill)[0].status == "applied"
    settled = net.digest("lap2")
    assert settled == net.digest("desk")
    # the lost bundle turning up at last brings nothing new and breaks nothing
    late = net.import_("lap2", lost)[0]
    assert (late.status, late.new, late.updated, late.conflicts) == ("applied", 0, 0, 0)
    assert net.digest("lap2") == settled


# -- merge rules ------------------------------------------------------------------------------
def test_concurrent_edits_keep_the_loser_as_a_conflict(net: Net, tmp_path: Path,
                                                       fixed_clock: clock.FixedClock) -> None:
    _edit(net, "lap", phone="13800001111")
    fixed_clock.advance(timedelta(seconds=1))
    _edit(net, "desk", phone="13800002222")
    net.import_("lap", net.export("desk", tmp_path / "d.mulin"))
    net.import_("desk", net.export("lap", tmp_path / "l.mulin"))
    for who in ("desk", "lap"):
        net.use(who)
        assert Resident.get_by_id(_rid(net)).phone == "13800002222"
        (c,) = Conflict.select()
        assert json.loads(c.loser_value) == "13800001111"
    assert net.digest("desk") == net.digest("lap")


def test_keep_other_writes_the_lost_value_as_a_change_that_syncs(
        net: Net, tmp_path: Path, fixed_clock: clock.FixedClock) -> None:
    _edit(net, "lap", name="李四")
    fixed_clock.advance(timedelta(seconds=1))
    _edit(net, "desk", name="张三")
    net.import_("desk", net.export("lap", tmp_path / "l.mulin"))
    net.use("desk")
    (view,) = views.conflicts_page(0, 10)
    assert (view.field, view.current, view.other) == ("name", "张三", "李四")
    views.keep_other(view.id)
    assert Resident.get_by_id(_rid(net)).name == "李四"
    assert views.count_conflicts() == 0
    net.import_("lap", net.export("desk", tmp_path / "d.mulin"))
    net.use("lap")
    assert Resident.get_by_id(_rid(net)).name == "李四"
    assert net.digest("lap") == net.digest("desk")


def test_delete_racing_an_edit_is_a_conflict_and_can_be_restored(
        net: Net, tmp_path: Path, fixed_clock: clock.FixedClock) -> None:
    _edit(net, "lap", phone="13512345678")
    fixed_clock.advance(timedelta(seconds=1))
    net.use("desk")
    with store.write() as tx:
        tx.delete(Resident, _rid(net))
    net.import_("desk", net.export("lap", tmp_path / "l.mulin"))
    net.import_("lap", net.export("desk", tmp_path / "d.mulin"))
    for who in ("desk", "lap"):
        net.use(who)
        assert Resident.get_by_id(_rid(net)).deleted is True
        (c,) = Conflict.select()
        assert c.kind == "delete"
    assert net.digest("desk") == net.digest("lap")
    net.use("lap")
    views.keep_other(Conflict.get().id)
    net.import_("desk", net.export("lap", tmp_path / "restore.mulin"))
    net.use("desk")
    restored = Resident.get_by_id(_rid(net))
    assert restored.deleted is False and restored.phone == "13512345678"


# -- clocks and duplicates -------------------------------------------------------------------
def test_a_clock_far_ahead_is_applied_but_named(net: Net, tmp_path: Path,
                                               fixed_clock: clock.FixedClock) -> None:
    net.use("desk")
    with store.write() as tx:
        tx.insert(Setting, id=setting_id(exchange.SKEW_SETTING), key=exchange.SKEW_SETTING,
                  value="30")
    net.import_("lap", net.export("desk", tmp_path / "s.mulin"))
    fixed_clock.advance(timedelta(days=2))  # the laptop's date is wrong
    _edit(net, "lap", name="未来")
    b = net.export("lap", tmp_path / "future.mulin")
    fixed_clock.advance(timedelta(days=-2))
    result = net.import_("desk", b)[0]
    assert result.status == "applied" and result.updated == 1
    assert [w.station for w in result.skew] == ["lap (LA)"]
    assert "快约 2880 分钟" in result.skew[0].text()
    assert exchange.clock_warnings()[0].station == "lap (LA)"


def test_an_edit_within_tolerance_is_not_warned(net: Net, tmp_path: Path,
                                                fixed_clock: clock.FixedClock) -> None:
    fixed_clock.advance(timedelta(minutes=5))
    _edit(net, "lap", name="稍快")
    fixed_clock.advance(timedelta(minutes=-5))
    assert net.import_("desk", net.export("lap", tmp_path / "ok.mulin"))[0].skew == []


def test_duplicates_are_listed_and_merging_syncs(net: Net, tmp_path: Path) -> None:
    _edit(net, "desk", 0, id_number="420117195001011234")
    _edit(net, "lap", 1, id_number="420117195001011234")
    net.import_("lap", net.export("desk", tmp_path / "d.mulin"))
    result = net.import_("desk", net.export("lap", tmp_path / "l.mulin"))[0]
    assert result.duplicates == 1
    net.use("desk")
    (pair,) = duplicates.all_pairs()
    duplicates.merge(pair.keep_id, pair.other_id)
    assert duplicates.all_pairs() == []
    net.import_("lap", net.export("desk", tmp_path / "m.mulin"))
    net.use("lap")
    other = Resident.get_by_id(pair.other_id)
    assert other.deleted is True and other.merged_into == pair.keep_id
    assert duplicates.all_pairs() == []
    assert net.digest("lap") == net.digest("desk")


def test_pending_count_drops_after_export(net: Net, tmp_path: Path) -> None:
    net.export("lap", tmp_path / "first.mulin")
    assert station.pending_changes() == 0
    _edit(net, "lap", name="待导出")
    assert station.pending_changes() == 1
    net.export("lap", tmp_path / "p.mulin")
    assert station.pending_changes() == 0


def test_every_single_byte_flip_and_every_truncation_is_refused(net: Net,
                                                               tmp_path: Path) -> None:
    _edit(net, "desk", phone="13700000000")
    good = net.export("desk", tmp_path / "good.mulin").read_bytes()
    net.use("lap")
    key, community = keys.load_key(), store.context().community_id
    assert bundle.decode(good, key, community).header.count
    for i in range(len(good)):
        flipped = bytearray(good)
        flipped[i] ^= 0x04
        with pytest.raises(bundle.BundleError):
            bundle.decode(bytes(flipped), key, community)
    for size in range(0, len(good), 7):
        with pytest.raises(bundle.BundleError):
            bundle.decode(good[:size], key, community)
