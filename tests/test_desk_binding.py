"""Actions bind to the record, never the row: after a re-sort the next action acts on the
case named in its dialog (issue 13)."""

from __future__ import annotations

from typing import Any

from app.config import Paths
from app.services.cases import views as case_views
from models.cases import Case


def _notes(app: Any) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_action_after_a_resort_acts_on_the_named_case(hubin: Paths) -> None:
    from app.tui import MulinApp
    from screens.widgets.virtual_table import VirtualTable

    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        table = app.screen.query_one("#cases", VirtualTable)
        rows = case_views.page(app.community_id, None, 0, 20)
        # a case not yet responded to, not at the top: responding re-sorts the list
        index = next(i for i, c in enumerate(rows) if c.state == "received" and i > 0)
        target = rows[index]
        await pilot.press(*["down"] * index)
        assert table.current_row is not None and table.current_row.key == target.id
        await pilot.press("r")
        await pilot.pause()
        assert Case.get_by_id(target.id).state == "responded"
        assert any(target.number in n for n in _notes(app))  # the notice names it
        after = [c.id for c in case_views.page(app.community_id, None, 0, 200)]
        assert after.index(target.id) != index  # the list did re-sort …
        assert table.current_row.key == target.id  # … and the cursor followed the case
        top = table.scroll_offset.y
        assert top <= table.cursor < top + table.size.height - 1  # and it is on screen
        await pilot.press("d")
        await pilot.pause()
        subject = str(app.screen.query_one("#form-subject").render())
        assert target.number in subject
        await pilot.press(*"李伟友", "ctrl+s")
        await pilot.pause()
        assert Case.get_by_id(target.id).state == "dispatched"
        assert Case.get_by_id(target.id).handler == "李伟友"
        others = Case.select().where((Case.handler == "李伟友") & (Case.id != target.id)
                                     & (Case.state == "dispatched"))
        assert target.id not in [c.id for c in others]
        assert table.current_row.key == target.id


def _door_in_two_units() -> tuple[str, int, str]:
    """A building and room that exist in more than one unit (e.g. 12-1-402 and 12-3-402)."""
    from models.places import Building, Household, Unit

    rows = (Household.select(Building.number, Unit.number.alias("unit_no"), Household.room)
            .join(Building).switch(Household).join(Unit).tuples())
    seen: dict[tuple[str, str], set[int]] = {}
    for building, unit, room in rows:
        seen.setdefault((building, room), set()).add(unit)
    (building, room), units = next((k, v) for k, v in seen.items() if len(v) > 1)
    return building, max(units), room


def test_one_resident_lookup_keeps_the_unit(hubin: Paths) -> None:
    from app.services.search.residents import find_residents

    building, unit, room = _door_in_two_units()
    hits = find_residents(f"{building}-{unit}-{room}")
    assert hits and {h.door for h in hits} == {f"{building}-{unit}-{room}"}
    name = hits[0].name
    assert any(h.id == hits[0].id for h in find_residents(f"{name} {building}"))


async def test_intake_dispatches_and_selects_the_new_case(hubin: Paths) -> None:
    from app.services.search.residents import find_residents
    from app.tui import MulinApp
    from screens.cases.board import CasesScreen
    from screens.widgets.virtual_table import VirtualTable

    building, unit, room = _door_in_two_units()
    door = f"{building}-{unit}-{room}"
    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        await pilot.press(*door)
        await pilot.pause()
        hits = find_residents(door)
        await pilot.press("enter", *(["enter"] if len(hits) > 1 else []))
        await pilot.press(*"tingdian", "enter", *"楼道停电", "enter", *"李伟友")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, CasesScreen)  # F4 opened by itself
        new = Case.select().order_by(Case.received_at.desc(), Case.number.desc()).first()
        assert (new.state, new.handler, new.place, new.subcategory) == \
            ("dispatched", "李伟友", door, "power_cut")
        assert new.reporter_name == hits[0].name and new.reporter_phone
        table = app.screen.query_one("#cases", VirtualTable)
        assert table.current_row is not None and table.current_row.key == new.id
        top = table.scroll_offset.y
        assert top <= table.cursor < top + table.size.height - 1


async def test_refused_merge_and_cancel_keep_what_was_typed(hubin: Paths) -> None:
    from textual.widgets import Input

    from app.tui import MulinApp
    from screens.cases.actions import MergeForm, NoteForm
    from screens.widgets.virtual_table import VirtualTable

    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        table = app.screen.query_one("#cases", VirtualTable)
        case_id = table.current_row.key  # type: ignore[union-attr]
        state = Case.get_by_id(case_id).state
        await pilot.press("m", *"DT-19990101-999", "tab", *"与旧诉求重复")
        await pilot.press("ctrl+s")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, MergeForm)  # refused: still open, nothing lost
        assert form.query_one("#note", Input).value == "与旧诉求重复"
        assert app.focused is form.query_one("#into", Input)  # the field to fix
        assert str(form.query_one("#form-error").render())
        await pilot.press("escape", "x", "ctrl+s")  # 撤销 without a reason
        await pilot.pause()
        assert isinstance(app.screen, NoteForm)
        assert app.focused is app.screen.query_one("#note", Input)
        await pilot.press(*"居民撤回", "enter")
        await pilot.pause()
        assert Case.get_by_id(case_id).state == "cancelled" != state


async def test_tab_and_shift_tab_leave_a_multi_line_field(hubin: Paths) -> None:
    from textual.widgets import TextArea

    from app.tui import MulinApp
    from screens.mediation.forms import MedForm

    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("o")  # the outcome form: its reason is a TextArea
        await pilot.pause()
        assert isinstance(app.screen, MedForm)
        areas = list(app.screen.query(TextArea))
        assert areas
        while app.focused is not areas[0]:
            await pilot.press("tab")
        await pilot.press(*"说明")
        await pilot.press("shift+tab")
        assert app.focused is not areas[0]  # Shift+Tab left it …
        await pilot.press("tab", "tab")
        assert app.focused is not areas[0]  # … and Tab goes through it
        assert areas[0].text == "说明"


def test_rates_are_drawn_on_a_fixed_scale() -> None:
    from screens.cases.dashboard import bars

    assert bars([1.0, 1.0, 1.0], 1, 0.0, 1.0) == "███"  # a steady 100% is full, not lowest
    assert bars([0.8, 1.0], 1, 0.0, 1.0) == "▇█"  # 80% is drawn lower than 100%
    assert bars([0.0, None], 2, 0.0, 1.0) == "▁▁··"


def test_report_groups_are_named_in_words(hubin: Paths) -> None:
    from app.services.cases import metrics

    period = metrics.last_months(1)[0]
    rows = metrics.report_rows(hubin_community(), period)
    keys = {section: [r.key for r in rs] for section, rs in rows.items()}
    assert all(" " in k and k.split()[0].isdigit() for k in keys["category"])  # 110 有求必应
    assert set(keys["level"]) <= {"网格", "社区", "街道", "区"}
    assert all(k for section in keys.values() for k in section)  # no empty group name


def hubin_community() -> str:
    from app.services.places import views as places

    community = places.default_community()
    assert community is not None
    return community.id


async def test_find_opens_the_ledger_with_the_row_visible(hubin: Paths) -> None:
    from app.tui import MulinApp
    from models.places import Building, Household, Unit
    from screens.widgets.key_footer import KeyFooter
    from screens.widgets.virtual_table import VirtualTable

    # the last door of the biggest building: far below the first screenful of the ledger
    biggest = max(Building.select(), key=lambda b: Household.select().where(
        Household.building == b.id).count())
    last = (Household.select(Household, Unit.number.alias("unit_no")).join(Unit)
            .where(Household.building == biggest.id)
            .order_by(Unit.number.desc(), Household.room.desc()).objects().first())
    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+f", *f"{biggest.number}-{last.unit_no}-{last.room}")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause(0.5)
        table = app.screen.query_one("#ledger-table", VirtualTable)
        assert table.current_row is not None and table.current_row.key == last.id
        top = table.scroll_offset.y
        assert table.cursor >= table.size.height - 1  # it had to scroll …
        assert top <= table.cursor < top + table.size.height - 1  # … and the row is in view
        row_y = table.content_region.y + 1 + table.cursor - top  # under the header line
        footer = app.screen.query_one(KeyFooter)
        assert row_y < footer.region.y  # on screen, not under the footer


async def test_mediation_detail_marks_the_section_in_focus(hubin: Paths) -> None:
    from textual.widgets import Static

    from app.tui import MulinApp

    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("enter", "tab")
        await pilot.pause()
        title = app.screen.query_one("#title-parties", Static)
        assert title.has_class("-active") and str(title.render()).startswith("▶")
        others = app.screen.query_one("#title-mediators", Static)
        assert not others.has_class("-active") and not str(others.render()).startswith("▶")


async def test_palette_speaks_chinese_and_matches_pinyin_and_keywords(hubin: Paths) -> None:
    from textual.command import CommandInput, CommandList

    from app.tui import MulinApp
    from screens.cases.handover import HandoverScreen

    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        box = app.screen.query_one(CommandInput)
        assert "Search for commands" not in box.placeholder and "拼音" in box.placeholder
        for query, title in (("jjb", "交接班"), ("kanban", "三率看板"), ("handover", "交接班"),
                             ("dashboard", "三率看板"), ("看板", "三率看板"),
                             ("shouli", "受理诉求")):
            box.value = query
            await pilot.pause(0.4)
            shown = [str(o.prompt) for o in app.screen.query_one(CommandList)._options]
            assert any(title in s for s in shown[:3]), (query, shown[:3])
        box.value = "qqqzzz"
        await pilot.pause(0.8)
        shown = [str(o.prompt) for o in app.screen.query_one(CommandList)._options]
        assert any("没有匹配" in s for s in shown) and not any("No matches" in s for s in shown)
        box.value = "jjb"
        await pilot.pause(0.4)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, HandoverScreen)


async def test_map_help_describes_the_map_it_has(hubin: Paths) -> None:
    from textual.widgets import Static

    from app.tui import MulinApp
    from screens.help import HelpScreen

    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2", "f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one(".help-text", Static).render())
        assert "网格" in text and "左栏" not in text and "中栏" not in text


async def test_filters_reset_when_another_operator_signs_in(hubin: Paths) -> None:
    from textual.widgets import Input

    from app.services.trust import operators
    from app.tui import MulinApp
    from screens.widgets.virtual_table import VirtualTable

    operators.sign_in_as(operators.add_operator("书记", "admin", "0000"))  # adds the next
    grid = operators.add_operator("网格员", "grid_worker", "2222")
    operators.sign_out()
    app = MulinApp(operator=grid)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4", "slash", *"停")
        await pilot.pause()
        table = app.screen.query_one("#cases", VirtualTable)
        narrowed = table.row_count
        await pilot.press("escape", "ctrl+l")  # leave the box (the filter stays), lock
        await pilot.pause()
        await pilot.press("up", "0", "0", "0", "0", "enter")  # 书记 (first) signs in
        await pilot.pause()
        assert app.operator_name == "书记"
        assert table.row_count > narrowed
        assert app.screen.query_one("#cases-search", Input).value == ""


async def test_visit_form_names_the_door_with_its_building(hubin: Paths) -> None:
    from textual.widgets import Input

    from app.services.search.residents import door_of, find_door
    from app.tui import MulinApp
    from models.places import Building, Household
    from models.visits import Visit
    from screens.widgets.virtual_table import VirtualTable

    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        household = app.screen.query_one(VirtualTable).current_row.key  # type: ignore[union-attr]
        before = Visit.select().where(Visit.household == household).count()
        await pilot.press("v")
        await pilot.pause()
        door = app.screen.query_one("#f-household", Input).value
        hh = Household.get_by_id(household)
        number = Building.get_by_id(hh.building_id).number
        assert door == door_of(household) and door.startswith(f"{number}-")
        assert find_door(door, hh.building_id) == household
        assert find_door(door.split("-", 1)[1], hh.building_id) == household  # 3-402 too
        await pilot.press(*"一切安好", "ctrl+s")
        await pilot.pause()
        assert Visit.select().where(Visit.household == household).count() == before + 1


def test_handover_file_uses_local_time_and_the_screens_words(hubin: Paths) -> None:
    from app.services.cases import handover
    from screens.cases.board import time_left_text

    handover.save_note("楼道灯待修", "值班员")
    sheet = handover.build(hubin_community())
    text = handover.as_text(sheet)
    assert "值班员 2026-11-25 10:00" in text  # Beijing time, as the header shows (not 02:00)
    assert sheet.overdue, "the demo keeps overdue cases"
    for r in sheet.overdue:
        words = str(time_left_text(r.time_left()))
        assert words.startswith("超时") and f"{r.number} " in text and words in text
    from app.services.cases.views import time_left_words

    assert time_left_words(-227) == ("超时9天", "late")  # not 超时227小时, in either place


def test_an_open_case_sent_to_mediation_shows_the_mediation_number(hubin: Paths) -> None:
    from datetime import date

    from app.services.cases import lifecycle
    from app.services.cases.views import CaseFilter, page
    from app.services.mediation import records as med
    from models.mediation import Mediation
    from screens.cases.board import case_row

    community = hubin_community()
    case = lifecycle.intake({"category": "122", "description": "楼上空调外机放在楼下窗台"},
                            community)
    med.create_mediation(community, med.MediationDraft(
        dispute_type="ac_unit", title="空调外机纠纷", facts="外机位置",
        opened_on=date(2026, 11, 25)), case_id=case.id)
    linked = {m.case_id: m.number for m in Mediation.select() if m.case_id}
    rows = [r for r in page(hubin_community(), CaseFilter(scope="all"), 0, 500)
            if r.id in linked and r.is_open]
    assert rows, "the demo sends open cases to mediation"
    for r in rows:
        cells = case_row(r).cells
        assert str(cells[-1]) == linked[r.id]
        if r.state == "mediation":
            assert str(cells[-2]) == "调解中"
