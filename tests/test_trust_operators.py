"""Operators: PIN hashing, rate-limited sign-in, roles and masking, the audit stamp."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from app import clock, store
from app.config import Paths
from app.services.trust import masking, operators, permissions
from models.operators import Operator
from models.places import Community
from models.sync import Change


@pytest.fixture(autouse=True)
def _nobody() -> Iterator[None]:
    operators.sign_out()
    yield
    operators.sign_out()


def test_pin_is_stored_only_as_a_slow_salted_hash(empty_station: Paths) -> None:
    a = operators.add_operator("张三", "admin", "4821")
    operators.sign_in_as(a)
    b = operators.add_operator("李四", "duty", "4821")
    ha, hb = (Operator.get_by_id(i).pin_hash for i in (a, b))
    assert ha.startswith("$argon2id$") and "4821" not in ha
    assert ha != hb  # same PIN, different salts
    assert operators.verify_pin(ha, "4821") and not operators.verify_pin(ha, "4822")
    logged = " ".join(c.data for c in Change.select())
    assert "4821" not in logged


@pytest.mark.parametrize("pin", ["12", "abcd", "123456789", ""])
def test_bad_pin_or_role_is_refused_and_writes_nothing(empty_station: Paths, pin: str) -> None:
    before = Change.select().count()
    with pytest.raises(operators.OperatorError):
        operators.add_operator("王五", "admin", pin)
    with pytest.raises(operators.OperatorError):
        operators.add_operator("王五", "boss", "1234")
    assert Change.select().count() == before and not operators.has_operators()


def test_full_width_pin_from_an_ime_is_accepted(empty_station: Paths) -> None:
    op = operators.add_operator("张三", "admin", "１２３４")
    assert operators.sign_in(op, "1234").name == "张三"


def test_wrong_pins_lock_sign_in_for_growing_times(empty_station: Paths,
                                                  fixed_clock: clock.FixedClock) -> None:
    op = operators.add_operator("张三", "admin", "1234")
    for left in (2, 1):
        with pytest.raises(operators.WrongPin) as wrong:
            operators.sign_in(op, "0000")
        assert wrong.value.left == left
    with pytest.raises(operators.WrongPin):
        operators.sign_in(op, "0000")  # third wrong PIN: 30 s lockout starts
    with pytest.raises(operators.SignInLocked) as locked:
        operators.sign_in(op, "1234")  # even the right PIN waits
    assert locked.value.seconds == 30
    fixed_clock.advance(timedelta(seconds=31))
    with pytest.raises(operators.WrongPin):
        operators.sign_in(op, "9999")  # fourth: 60 s
    assert operators.lockout_left(op) == 60
    fixed_clock.advance(timedelta(seconds=61))
    assert operators.sign_in(op, "1234").id == op
    assert operators.lockout_left(op) == 0


def test_lockout_survives_a_restart(empty_station: Paths) -> None:
    op = operators.add_operator("张三", "admin", "1234")
    for _ in range(3):
        with pytest.raises(operators.WrongPin):
            operators.sign_in(op, "0000")
    from app.services.station import identity as station
    from models.db import db

    db.close()
    station.open_station(empty_station)
    with pytest.raises(operators.SignInLocked):
        operators.sign_in(op, "1234")


def test_changes_record_the_operator_on_duty(empty_station: Paths) -> None:
    op = operators.add_operator("张三", "admin", "1234")
    operators.sign_in(op, "1234")
    with store.write() as tx:
        cid = tx.insert(Community, name="湖滨社区")
    assert Change.get(Change.row_id == cid).operator == op
    operators.sign_out()
    with store.write() as tx:
        tx.update(Community, cid, name="湖滨")
    assert Change.select().order_by(Change.seq.desc()).first().operator == ""


def test_roles_decide_what_is_shown() -> None:
    idn = "420117195203150021"
    assert masking.shown("id_number", idn, role="grid_worker") == "420117********0021"
    assert masking.shown("id_number", idn, revealed=True, role="grid_worker") != idn
    assert masking.shown("id_number", idn, role="admin") != idn
    assert masking.shown("id_number", idn, revealed=True, role="admin") == idn
    assert masking.shown("health_note", "糖尿病", role="duty") == "***"
    assert masking.shown("health_note", "糖尿病", role="admin") == "糖尿病"
    assert masking.shown("phone", "13812345678", role="duty") == "138****5678"
    assert masking.shown("reporter_phone", "138 1234 5678", role=None) == "138****5678"
    assert masking.shown("name", "王奶奶", role="duty") == "王奶奶"
    assert permissions.may_reveal("admin", "id_number")
    assert not permissions.may_reveal("duty", "id_number")
    assert permissions.may("admin", "operators.manage")
    assert not permissions.may("grid_worker", "operators.manage")
    assert not permissions.may(None, "data.write")


def test_first_operator_is_an_admin_and_only_an_admin_adds_more(empty_station: Paths) -> None:
    with pytest.raises(operators.OperatorError):
        operators.add_operator("李四", "duty", "1111")
    admin = operators.add_operator("张三", "admin", "0000")
    before = Change.select().count()
    with pytest.raises(permissions.Refused) as refused:
        operators.add_operator("李四", "duty", "1111")  # nobody signed in
    assert "--operator" in str(refused.value)
    operators.sign_in_as(admin)
    duty = operators.add_operator("李四", "duty", "1111")
    operators.sign_in_as(duty)
    with pytest.raises(permissions.Refused) as refused:
        operators.add_operator("王五", "duty", "2222")
    assert "值班人员不能管理操作员" in str(refused.value)
    with pytest.raises(permissions.Refused):
        operators.remove_operator(admin)
    assert Change.select().count() == before + 1  # only 李四 was written


def test_a_demo_cut_short_between_its_operators_gets_the_rest(hubin: Paths) -> None:
    """``mulin --demo`` closed while adding its operators: the next start adds those
    missing, so every PIN the sign-in hint names works."""
    operators.add_operator("管理员", "admin", "0000")
    operators.sign_out()
    names = [o.name for o in operators.add_demo_operators()]
    assert sorted(names) == sorted(["管理员", "值班员", "网格员"])
    grid_worker = next(o for o in operators.list_operators() if o.name == "网格员")
    operators.sign_in(grid_worker.id, "2222")
    assert operators.current_role() == "grid_worker"
