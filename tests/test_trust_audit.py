"""The audit trail: who changed a record, when, where; reveals are audited and synced."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest

from app import clock, store
from app.config import Paths
from app.services.trust import audit, operators, permissions
from models.operators import RevealLog
from models.places import Resident
from models.sync import Change, Conflict
from tests.trust_support import add_staff


@pytest.fixture(autouse=True)
def _nobody() -> Iterator[None]:
    operators.sign_out()
    yield
    operators.sign_out()


def _resident() -> Resident:
    return Resident.select().where(Resident.id_number != "").order_by(Resident.id).first()


def test_history_names_operator_station_and_masks_ids(hubin: Paths,
                                                      fixed_clock: clock.FixedClock) -> None:
    worker = add_staff("grid_worker")["grid_worker"]
    r = _resident()
    operators.sign_in(worker, "2222")
    fixed_clock.advance(timedelta(minutes=3))
    with store.write() as tx:
        tx.update(Resident, r.id, phone="13900001111", id_number="420117199001011234")
    entries = audit.history("resident", r.id)
    assert entries[0].kind == "insert" and entries[-1].kind == "update"
    last = entries[-1]
    assert last.operator == "网格员" and last.station == "演示站"
    assert last.at.strftime("%H:%M") == "10:03"  # local time
    assert last.fields["id_number"] == "420117********1234"
    assert last.fields["phone"] == "139****1111"
    assert "420117199001011234" not in json.dumps([e.fields for e in entries])


def test_grid_worker_cannot_reveal_an_id_number(hubin: Paths) -> None:
    worker = add_staff("grid_worker")["grid_worker"]
    operators.sign_in(worker, "2222")
    with pytest.raises(permissions.Refused):
        audit.reveal("resident", _resident().id, "id_number")
    assert RevealLog.select().count() == 0


def test_admin_reveal_is_recorded_and_synced_as_a_change(hubin: Paths) -> None:
    admin = operators.add_operator("书记", "admin", "0000")
    operators.sign_in(admin, "0000")
    r = _resident()
    assert audit.reveal("resident", r.id, "id_number") == r.id_number
    log = RevealLog.get()
    assert (log.operator, log.operator_name, log.row_id, log.field) == (
        admin, "书记", r.id, "id_number")
    change = Change.get(Change.row_id == log.id)
    assert change.op == "append" and change.table == "reveal_log" and change.operator == admin
    kinds = [e.kind for e in audit.history("resident", r.id)]
    assert kinds[-1] == "reveal"


def test_history_shows_conflicts_kept_for_review(hubin: Paths) -> None:
    r = _resident()
    Conflict.create(id=store.new_id(), table="resident", row_id=r.id, field="phone",
                    winner_value=json.dumps("13800000000"), winner_stamp="1/a",
                    loser_value=json.dumps("13711112222"),
                    loser_stamp=f"000000000000001-000000/{store.context().station_id}",
                    detected_at=clock.now(), resolved=False)
    conflict = [e for e in audit.history("resident", r.id) if e.kind == "conflict"]
    assert conflict and conflict[0].fields["phone"] == "137****2222"
    assert json.loads(conflict[0].note) == {"kept": "138****0000", "resolved": False}
