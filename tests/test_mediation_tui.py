"""The mediation screen driven from the keyboard (Hubin demo), and its snapshots."""

from __future__ import annotations

import json
from typing import Any

import pytest
from textual.widgets import Static

from app import store
from app.config import Paths
from models.cases import Case, CaseEvent
from models.mediation import AgreementTerm, FollowUp, Mediation
from models.sync import Change
from tests.test_search_tui import _open_by_number


def _app() -> Any:
    from app.tui import MulinApp

    return MulinApp()


def _ac_id() -> str:
    return Mediation.get(Mediation.title == "13栋空调外机安放纠纷").id


async def test_start_a_mediation_from_a_case_with_the_keyboard(hubin: Paths) -> None:
    from screens.mediation.detail import MediationDetailScreen
    from screens.mediation.records import MediationScreen

    community = store.context().community_id
    case = (Case.select().where((Case.community == community) & (Case.state == "in_progress"))
            .order_by(Case.number.desc()).first())
    day, serial = case.number.split("-")[1:]
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app.screen, MediationScreen)
        await pilot.press("c")
        await pilot.pause()
        await pilot.press(*day, "minus", *serial)
        await pilot.pause()
        await pilot.press("enter")  # the case found by its number
        await pilot.pause()
        await pilot.press("enter", "down", "enter")  # dispute type: the first, noise
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, MediationDetailScreen)
        head = str(app.screen.query_one("#med-head", Static).render())
        assert case.number in head
    mediation = Mediation.get(Mediation.case == case.id)
    assert mediation.dispute_type == "noise" and mediation.status == "open"
    opened = CaseEvent.get((CaseEvent.case == case.id) & (CaseEvent.kind == "mediation_opened"))
    assert json.loads(opened.data) == {"mediation": mediation.id}
    assert Case.get_by_id(case.id).state == "mediation"


async def test_a_term_bound_to_nobody_is_refused_in_the_form(hubin: Paths) -> None:
    from screens.mediation.detail import MediationDetailScreen
    from screens.mediation.forms import MedForm

    number = Mediation.get_by_id(_ac_id()).number
    before = (Change.select().count(), AgreementTerm.select().count())
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_by_number(pilot, app, number)  # Ctrl+F, the number, Enter
        assert isinstance(app.screen, MediationDetailScreen)
        await pilot.press(*["right_square_bracket"] * 4)  # parties … sessions, terms
        assert app.screen.focused is app.screen.query_one("#sec-terms")
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, MedForm)
        await pilot.press("tab", *"pay", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, MedForm)  # still open, with the reason
        assert "必须指定" in str(app.screen.query_one("#e-0", Static).render())
    assert (Change.select().count(), AgreementTerm.select().count()) == before


async def test_follow_up_clears_the_overdue_term(hubin: Paths) -> None:
    from app.services.mediation import views as mediation_views
    from screens.mediation.detail import MediationDetailScreen

    community = store.context().community_id
    late = mediation_views.overdue_follow_ups(community)[0]
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        assert app.screen.query_one("#mediations").current_row.key == late.mediation_id
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MediationDetailScreen)
        await pilot.press("u")
        await pilot.pause()
        await pilot.press("tab", *"wgy", "tab", "enter", "home", "down", "enter",
                          "ctrl+s")  # check: 已履行
        await pilot.pause()
        assert isinstance(app.screen, MediationDetailScreen)
    visit = FollowUp.get(FollowUp.mediation == late.mediation_id)
    assert json.loads(visit.checks) == {late.term_id: "done"}
    assert AgreementTerm.get_by_id(late.term_id).status == "done"
    assert late.term_id not in {o.term_id for o in mediation_views.overdue_follow_ups(community)}


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot_list(hubin: Paths, snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(_app(), press=["f5", "wait:300"], terminal_size=size)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot_detail(hubin: Paths, snap_compare: Any, size: tuple[int, int]) -> None:
    from screens.mediation.detail import MediationDetailScreen

    number = Mediation.get_by_id(_ac_id()).number

    async def open_ac(pilot: Any) -> None:  # by keys: find its number, open, Tab to terms
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("ctrl+f", *number, "enter")
        await pilot.pause(0.3)
        assert isinstance(pilot.app.screen, MediationDetailScreen)
        await pilot.press("tab", "tab", "tab", "tab")  # head → parties … → terms
        await pilot.pause()
        assert pilot.app.screen.focused.id == "sec-terms"

    assert snap_compare(_app(), run_before=open_ac, press=["wait:300"], terminal_size=size)


async def test_conventions_from_the_mediation_screen(hubin: Paths) -> None:
    from app.services.mediation import conventions
    from screens.mediation.conventions import ConventionsScreen

    community = store.context().community_id
    before = conventions.count(community)
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, ConventionsScreen)
        assert str(before) in str(app.screen.query_one("#conv-summary", Static).render())
        await pilot.press("n", *"abc", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConventionsScreen)
        assert str(before + 1) in str(app.screen.query_one("#conv-summary", Static).render())
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.query("#mediations")
    assert conventions.count(community) == before + 1
