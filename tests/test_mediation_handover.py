"""Overdue mediation follow-ups surface in the shift handover (issue 5, item 4)."""

from __future__ import annotations

from app.config import Paths
from app.i18n import t
from app.services.cases import handover
from app.services.mediation import views as mediation_views
from app.services.places import views as places


def test_handover_lists_overdue_follow_ups(hubin: Paths) -> None:
    community = places.default_community()
    assert community is not None
    overdue = mediation_views.overdue_follow_ups(community.id)
    assert overdue, "the demo keeps one overdue follow-up (building-12 dog dispute)"
    sheet = handover.build(community.id)
    assert [f.term_id for f in sheet.follow_ups] == [f.term_id for f in overdue]
    text = handover.as_text(sheet)
    assert t("handover.follow_ups", n=len(overdue)) in text
    assert overdue[0].number in text and overdue[0].obligation in text
