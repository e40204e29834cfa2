"""The permission table at work in the services: what each role sees and may do."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config import Paths
from app.services.places import care, residents
from app.services.station import stats
from app.services.trust import audit, operators, permissions
from models.operators import RevealLog
from models.places import Building, Household, Resident
from models.sync import Change
from tests.sync_support import Net, seed_content
from tests.trust_support import add_staff


@pytest.fixture(autouse=True)
def _nobody() -> Iterator[None]:
    operators.sign_out()
    yield
    operators.sign_out()


def _resident_with_id() -> Resident:
    return (Resident.select().where((Resident.id_number != "") & (Resident.phone != "")
                                    & (Resident.status == "present"))
            .order_by(Resident.id).first())


def _building_of(r: Resident) -> Building:
    return Building.get_by_id(Household.get_by_id(r.household_id).building_id)


def test_each_role_sees_the_resident_form_as_the_table_says(hubin: Paths) -> None:
    r = _resident_with_id()
    b = _building_of(r)
    ids = add_staff("duty", "grid_worker", grid_id=b.grid_id)
    operators.sign_in_as(ids["duty"])
    form = residents.resident_form(r.id)
    assert form.id_number == r.id_number[:6] + "********" + r.id_number[-4:]
    assert form.phone == r.phone[:3] + "****" + r.phone[-4:]
    operators.sign_in_as(ids["grid_worker"])  # its own grid: the phone it needs to call
    form = residents.resident_form(r.id)
    assert form.phone == r.phone and r.id_number not in form.id_number
    operators.sign_in_as(ids["admin"])  # admin: masked until a logged reveal
    assert residents.resident_form(r.id).id_number != r.id_number
    rows = {x.id: x for x in residents.residents_page(b.id, 0, 500)}
    assert rows[r.id].id_masked == form.id_number


def test_saving_a_masked_form_keeps_the_stored_id_and_phone(hubin: Paths) -> None:
    r = _resident_with_id()
    ids = add_staff("duty")
    operators.sign_in_as(ids["duty"])
    form = residents.resident_form(r.id)
    residents.edit_resident(r.id, form.model_copy(update={"name": "王秀英"}),
                            _building_of(r).id)
    blanked = {"name": "王秀英", "id_number": "", "phone": ""}
    residents.edit_resident(r.id, form.model_copy(update=blanked), _building_of(r).id)
    saved = Resident.get_by_id(r.id)
    assert (saved.name, saved.id_number, saved.phone) == ("王秀英", r.id_number, r.phone)


def test_only_admin_changes_settings_and_refusal_writes_nothing(hubin: Paths) -> None:
    ids = add_staff("duty", "grid_worker")
    before = Change.select().count()
    for role in ("duty", "grid_worker"):
        operators.sign_in_as(ids[role])
        with pytest.raises(permissions.Refused) as refused:
            care.set_cadence({"elderly_alone": 3})
        assert "不能修改设置" in str(refused.value)
    assert Change.select().count() == before
    operators.sign_in_as(ids["admin"])
    care.set_cadence({"elderly_alone": 3})
    assert care.cadence()["elderly_alone"] == 3


def test_a_reveal_is_logged_counted_and_synced(tmp_path: Path) -> None:
    net = Net(tmp_path)
    net.add("desk", "DK")
    content = seed_content()
    with store_at(net, "desk"):
        ids = add_staff()
        operators.sign_in_as(ids["admin"])
        rid = content["residents"][0]
        assert audit.reveal("resident", rid, "phone") == "13800000000"
        assert stats.counts()["reveal_log"] == 1
        operators.sign_out()
    bundle = net.export("desk", tmp_path / "desk.mulin", full=True)
    net.add("laptop", "LP")
    net.import_("laptop", bundle)
    log = RevealLog.get()
    assert (log.row_id, log.field, log.operator_name) == (rid, "phone", "书记")
    assert [e.kind for e in audit.history("resident", rid)][-1] == "reveal"


def store_at(net: Net, name: str) -> object:
    return net.at(name)


def test_duty_sees_a_full_phone_only_on_a_case_it_handles(hubin: Paths) -> None:
    from app import store
    from app.services.cases import views as case_views
    from models.cases import Case

    ids = add_staff("duty", "grid_worker", grid_id="nowhere")
    mine, other = list(Case.select().where(Case.reporter_phone != "").limit(2))
    with store.write() as tx:  # the handler column is what the case list shows
        tx.update(Case, mine.id, handler="值班员")
    operators.sign_in_as(ids["duty"])
    assert case_views.detail(mine.id).reporter_phone == mine.reporter_phone
    assert case_views.detail(other.id).reporter_phone != other.reporter_phone
    assert "****" in case_views.detail(other.id).reporter_phone
    operators.sign_in_as(ids["grid_worker"])  # not its grid, not its case
    assert case_views.detail(mine.id).reporter_phone != mine.reporter_phone


def test_history_follows_the_grid_rule_for_a_grid_worker(hubin: Paths) -> None:
    r = _resident_with_id()
    ids = add_staff("grid_worker", grid_id=_building_of(r).grid_id)
    operators.sign_in_as(ids["grid_worker"])
    now = audit.current_values("resident", r.id)
    assert now["phone"] == r.phone and now["id_number"] != r.id_number
    other = (Resident.select().join(Household).join(Building)
             .where((Building.grid != _building_of(r).grid_id) & (Resident.phone != ""))
             .first())
    assert audit.current_values("resident", other.id)["phone"] != other.phone
