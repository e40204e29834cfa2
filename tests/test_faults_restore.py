"""Issue 18: a restore (or a copied folder) never forks a station's change numbers."""

from __future__ import annotations

import shutil
from pathlib import Path

from app import store
from app.services.station import epoch
from app.services.trust import backup, check
from models.db import db
from models.places import Community
from models.sync import Station
from tests.sync_support import Net, seed_content


def _exchange(net: Net, a: str, b: str, folder: Path, rounds: int = 3) -> None:
    for i in range(rounds):
        net.import_(b, net.export(a, folder / f"{a}-{i}.mulin"))
        net.import_(a, net.export(b, folder / f"{b}-{i}.mulin"))


def _add_community(name: str) -> None:
    with store.write() as tx:
        tx.insert(Community, name=name)


def _names(net: Net, station: str) -> set[str]:
    net.use(station)
    return {c.name for c in Community.select()}


def test_restore_then_sync_converges_and_loses_nothing(tmp_path: Path) -> None:
    net = Net(tmp_path / "net")
    folder = tmp_path / "usb"
    net.add("desk", "DT")
    seed_content()
    net.add("lap", "LA")
    _exchange(net, "desk", "lap", folder)
    net.use("desk")
    old_id = store.context().station_id
    saved = backup.backup_to(net.paths["desk"], tmp_path / "desk-backup.sqlite3")
    _add_community("备份之后的工作")  # exported and held by the laptop, then lost locally
    net.import_("lap", net.export("desk", folder / "after.mulin"))

    net.use("desk")
    backup.restore(net.paths["desk"], saved)
    net.current = None
    net.use("desk")
    new_id = store.context().station_id
    assert new_id != old_id and Station.get_by_id(old_id).deleted
    assert store.context().prefix == "DT"
    _add_community("恢复之后的工作")  # numbered under the new id: nothing reused

    _exchange(net, "desk", "lap", folder)
    assert net.digest("desk") == net.digest("lap")
    for station in ("desk", "lap"):
        assert {"备份之后的工作", "恢复之后的工作"} <= _names(net, station)
        net.use(station)
        assert check.run() == []
    # the retired id no longer holds the export back: bundles carry only what is new
    net.use("lap")
    assert old_id in epoch.retired()


def test_restoring_its_own_backup_twice_is_allowed(tmp_path: Path) -> None:
    net = Net(tmp_path / "net")
    net.add("desk", "DT")
    seed_content()
    saved = backup.backup_to(net.paths["desk"], tmp_path / "b.sqlite3")
    backup.restore(net.paths["desk"], saved)
    net.current = None
    net.use("desk")
    backup.restore(net.paths["desk"], saved)  # the backup's id is a previous id of ours
    net.current = None
    net.use("desk")
    assert len(epoch.previous_ids()) == 2 and check.run() == []


def test_another_stations_backup_in_an_empty_folder_becomes_a_new_station(
        tmp_path: Path) -> None:
    net = Net(tmp_path / "net")
    net.add("desk", "DT")
    seed_content()
    desk_id = store.context().station_id
    saved = backup.backup_to(net.paths["desk"], tmp_path / "b.sqlite3")
    fresh = net.add("lap", "LA")  # only to get a Paths; replaced below
    db.close()
    store.activate(None)
    shutil.rmtree(fresh.data_dir)
    from app.services.station import identity as station

    station.open_station(fresh)
    backup.restore(fresh, saved)
    ctx = station.open_station(fresh)
    assert ctx is not None and ctx.station_id != desk_id
    assert not Station.get_by_id(desk_id).deleted  # the original may still be in use


def test_check_reports_numbers_a_copied_folder_reused(tmp_path: Path) -> None:
    net = Net(tmp_path / "net")
    folder = tmp_path / "usb"
    net.add("desk", "DT")
    seed_content()
    net.add("lap", "LA")
    _exchange(net, "desk", "lap", folder, rounds=1)
    net.use("desk")
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    copy = tmp_path / "copy.sqlite3"
    shutil.copy(net.db_file("desk"), copy)  # a copied folder, not a restore
    _add_community("复制之后")
    _exchange(net, "desk", "lap", folder, rounds=2)
    db.close()
    store.activate(None)
    shutil.copy(copy, net.db_file("desk"))
    for suffix in ("-wal", "-shm"):
        Path(str(net.db_file("desk")) + suffix).unlink(missing_ok=True)
    net.current = None
    net.import_("desk", net.export("lap", folder / "lap-last.mulin"))
    assert any(p.kind == "seq_reused" for p in check.run())
