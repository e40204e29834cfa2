"""Services behind the map, the ledger, visits and the key-care list (Hubin demo)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app import clock
from app.config import Paths
from app.services.places import care, ledger, residents, visits
from app.services.places import views as places
from app.services.places.views import MapBuilding
from app.services.station import stats
from app.services.trust import operators
from models.cases import Case, CaseEvent
from models.people import Person, Role
from models.places import Building, Resident
from models.sync import Change

VALID_ID = "420117198503080012"


def _building(number: str) -> str:
    community = places.default_community()
    assert community
    found = places.find_building(community.id, number)
    assert found
    return found


def _community() -> str:
    c = places.default_community()
    assert c
    return c.id


def test_hubin_demo_keeps_its_exact_size(hubin: Paths) -> None:
    counts = stats.counts()
    assert counts["households"] == 2159
    assert counts["residents"] == 7779
    assert counts["grids"] == 13


def test_every_section_of_a_ledger_has_rows(hubin: Paths) -> None:
    b = _building("12")
    counts = ledger.section_counts(b, _community())
    assert counts["households"] == places.count_households(b) > 0
    assert counts["residents"] == len(residents.residents_page(b, 0, 1000)) > 0
    assert counts["visits"] == len(visits.visits_page(b, 0, 10_000)) > 0
    assert counts["opinions"] == len(ledger.opinions_page(b, 0, 1000))
    assert counts["care"] >= 1  # 王秀兰 lives alone in 12-3-402
    names = [r.name for r in care.care_rows(_community(), building_id=b)]
    assert "王秀兰" in names


def test_demo_id_numbers_pass_the_validator(hubin: Paths) -> None:
    from app.validators import validate_id_number

    for r in Resident.select().limit(200):
        assert validate_id_number(r.id_number, clock.today()) == r.id_number


def test_invalid_resident_writes_nothing_and_says_why(hubin: Paths) -> None:
    b = _building("12")
    before = (stats.digest(), Change.select().count())
    form = residents.ResidentForm(name="李测试", id_number=VALID_ID[:-1] + "5",
                                  phone="1381234567", place="3-999")
    with pytest.raises(residents.ResidentFormError) as err:
        residents.add_resident(form, b)
    assert err.value.errors == {"id_number": "id_check", "phone": "phone_mobile",
                                "place": "household_unknown"}
    assert (stats.digest(), Change.select().count()) == before


def test_valid_resident_is_saved_with_search_keys(hubin: Paths) -> None:
    b = _building("12")
    form = residents.ResidentForm(name="曾小明", id_number=VALID_ID.lower(), phone="13812345678",
                                  place="3-402", relation="child")
    rid = residents.add_resident(form, b)
    r = Resident.get_by_id(rid)
    assert (r.gender, r.birth_date.isoformat()) == ("M", "1985-03-08")
    assert (r.name_pinyin, r.name_initials, r.phone_tail) == ("zengxiaoming", "zxm", "5678")
    assert Change.get(Change.row_id == rid).table == "resident"
    with pytest.raises(residents.ResidentFormError) as err:
        residents.add_resident(form, b)
    assert err.value.errors == {"id_number": "id_duplicate"}


def test_move_out_and_move_within(hubin: Paths) -> None:
    b = _building("12")
    first = residents.residents_page(b, 0, 1)[0]
    before = residents.count_residents(b)
    residents.move_within(first.id, "13", "1-101", _community())
    assert residents.count_residents(b) == before - 1
    assert residents.count_residents(_building("13")) > 0
    residents.move_out(first.id)
    assert Resident.get_by_id(first.id).status == "moved_out"
    with pytest.raises(residents.ResidentFormError):
        residents.move_within(first.id, "999", "1-101", _community())


def test_visit_takes_a_resident_off_the_overdue_list(hubin: Paths) -> None:
    rows = care.care_rows(_community())
    assert rows[0].overdue and rows[0].days_overdue >= rows[-1].days_overdue
    late = rows[0]
    visits.record_visit(visits.VisitForm(
        household_id=late.household_id, resident_id=late.resident_id, visitor_name="张网格",
        kind="care", findings="身体良好"))
    after = next(r for r in care.care_rows(_community()) if r.resident_id == late.resident_id)
    assert not after.overdue and after.last_visit is not None


def test_follow_up_becomes_a_received_case(hubin: Paths) -> None:
    b = _building("12")
    hh = residents.find_household(b, "3-402")
    assert hh
    result = visits.record_visit(visits.VisitForm(
        household_id=hh, visitor_name="张网格", findings="夜间断电，需电工检查线路",
        make_case=True, case_colour="red", case_category="110"))
    case = Case.get_by_id(result.case_id)
    assert (case.state, case.colour, case.channel, case.building_id) == \
        ("received", "red", "visit", b)
    assert [e.kind for e in CaseEvent.select().where(CaseEvent.case == case.id)] == ["received"]


def test_refused_visit_writes_nothing(hubin: Paths) -> None:
    b = _building("12")
    hh = residents.find_household(b, "3-402")
    assert hh
    before = Change.select().count()
    future = clock.local(clock.now() + timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    with pytest.raises(visits.VisitFormError) as err:
        visits.record_visit(visits.VisitForm(household_id=hh, visitor_name="",
                                             visited_at=future, make_case=True))
    assert err.value.errors == {"visited_at": "when_future", "visitor_name": "required",
                                "findings": "findings_needed"}
    assert Change.select().count() == before


def test_livelihood_section_follows_the_computed_community_rank(hubin: Paths) -> None:
    b = next(x.id for x in places.buildings(_community())
             if len(ledger.livelihood_rows(x.id)) >= 2)
    rows = ledger.livelihood_rows(b)
    assert [r.rank for r in rows] == sorted(r.rank for r in rows)
    live = [r for r in rows if r.status in ("pending", "in_progress")]
    scores = [(r.urgency * r.importance, r.households) for r in live]
    assert scores == sorted(scores, reverse=True)


def test_cadence_setting_changes_who_is_overdue(hubin: Paths) -> None:
    overdue = sum(r.overdue for r in care.care_rows(_community()))
    care.set_cadence({"elderly_alone": 1, "elderly": 1, "disabled": 1, "illness": 1,
                      "left_behind_child": 1, "low_income": 1})
    assert sum(r.overdue for r in care.care_rows(_community())) > overdue
    with pytest.raises(care.CareError):
        care.set_cadence({"elderly_alone": 0})


def test_holiday_round_ticks_who_was_seen(hubin: Paths) -> None:
    round_id = care.create_round(_community(), "春节走访")
    assert care.round_progress(_community(), round_id).seen == 0
    person = care.care_rows(_community())[0]
    visits.record_visit(visits.VisitForm(
        household_id=person.household_id, resident_id=person.resident_id,
        visitor_name="张网格", kind="holiday", round_id=round_id))
    progress = care.round_progress(_community(), round_id)
    assert progress.seen == 1 and progress.total > 1
    with pytest.raises(care.CareError):
        care.create_round(_community(), "春节走访")


def test_nearest_building_goes_the_right_way() -> None:
    def b(n: str, x: int, y: int) -> MapBuilding:
        return MapBuilding(n, n, n, "g", x, y)

    here, right, far_right, below = b("1", 10, 10), b("2", 16, 10), b("3", 30, 10), b("4", 10, 13)
    marks = [here, right, far_right, below]
    assert places.nearest(marks, here, "right") is right
    assert places.nearest(marks, here, "down") is below
    assert places.nearest(marks, here, "left") is None
    assert places.nearest(marks, right, "left") is here


def test_moving_a_building_is_a_logged_write(hubin: Paths) -> None:
    b = _building("12")
    places.move_building(b, 3, 4)
    moved = next(m for m in places.map_data(_community()).buildings if m.id == b)
    assert (moved.x, moved.y) == (3, 4)
    assert Change.select().where(Change.row_id == b, Change.op == "update").exists()
    with pytest.raises(places.LayoutError):
        places.move_building(b, -1, 4)


def test_map_layout_keeps_buildings_inside_their_grids(hubin: Paths) -> None:
    data = places.map_data(_community())
    grids = {g.id: g for g in data.grids}
    assert len(data.grids) == 13
    for m in data.buildings:
        g = grids[m.grid_id]
        assert g.x < m.x < g.x + g.w and g.y < m.y < g.y + g.h
    assert any(m.overdue for m in data.buildings) and any(m.colour for m in data.buildings)


def test_the_default_visitor_is_the_grid_worker_else_the_operator(hubin: Paths) -> None:
    b = Building.get_by_id(_building("12"))
    name = visits.default_visitor(b.id)
    workers = {r.person.name for r in Role.select(Role, Person).join(Person)
               .where((Role.grid == b.grid_id) & (Role.kind == "grid_worker"))}
    others = {r.person.name for r in Role.select(Role, Person).join(Person)
              .where((Role.grid != b.grid_id) & (Role.kind == "grid_worker"))}
    assert name in workers and name not in others  # nobody signed in: the grid's worker
    operators.sign_in_as(operators.add_operator("书记甲", "admin", "4321"))  # the first
    operators.sign_in_as(operators.add_operator("值班员甲", "duty", "1234"))
    try:
        assert visits.default_visitor(b.id) == "值班员甲"
    finally:
        operators.sign_out()


def test_cadence_is_typed_as_days_in_kind_order() -> None:
    assert care.parse_cadence("7 14 14 14 30 30") == dict(
        zip(care.KINDS, (7, 14, 14, 14, 30, 30), strict=True))
    assert care.parse_cadence("elderly_alone=3") == {"elderly_alone": 3}
    for bad in ("7 14", "0 14 14 14 30 30", "cats=3"):
        with pytest.raises(care.CareError):
            care.parse_cadence(bad)
