"""A case sent to mediation shows, from its own events, that it waits on or was settled
by that mediation, with the mediation's number (issue 13): never a stale 已受理."""

from __future__ import annotations

from datetime import date

from app.config import Paths
from app.services.cases import lifecycle
from app.services.cases import views as case_views
from app.services.mediation import records as med
from models.cases import Case
from models.mediation import Mediation
from tests.test_desk_binding import hubin_community
from tests.tui_support import screen_text, squeezed


async def test_a_case_settled_by_mediation_says_so_in_list_and_detail(hubin: Paths) -> None:
    from app.services.cases.views import CaseFilter, page
    from app.tui import MulinApp
    from screens.cases.board import case_row
    from tests.test_search_tui import _open_by_number

    community = hubin_community()
    case = lifecycle.intake({"category": "122", "description": "楼上空调外机滴水"}, community)
    mid = med.create_mediation(community, med.MediationDraft(
        dispute_type="ac_unit", title="空调外机纠纷", facts="外机滴水",
        opened_on=date(2026, 11, 25)), case_id=case.id)
    number = Mediation.get_by_id(mid).number
    row = next(r for r in page(community, CaseFilter(scope="all", text=case.number), 0, 50)
               if r.id == case.id)
    assert [str(c) for c in case_row(row).cells[-3:]] == ["—", "调解中", number]
    med.record_outcome(mid, med.OutcomeDraft(outcome="failed", reason="双方不同意",
                                             closed_on=date(2026, 11, 25)))
    assert lifecycle.derive(lifecycle.events_of(case.id)).state == "mediated"  # the fold
    assert Case.get_by_id(case.id).state == "mediated"
    row = next(r for r in page(community, CaseFilter(scope="all", text=case.number), 0, 50)
               if r.id == case.id)
    assert [str(c) for c in case_row(row).cells[-2:]] == ["调解毕", number]
    assert "dispatched" in case_views.detail(case.id).allowed  # a failed mediation goes on
    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_by_number(pilot, app, case.number)
        assert type(app.screen).__name__ == "CaseDetailScreen"
        shown = squeezed(screen_text(app))
        assert "调解毕" in shown and squeezed(f"调解 {number}") in shown
