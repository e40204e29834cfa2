"""Mediation service: the building-13 air-conditioner dispute from case to follow-up,
refusals that write nothing, overdue follow-ups, numbers and conventions."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from app import clock, store
from app.services.cases import lifecycle as case_service
from app.services.mediation import conventions
from app.services.mediation import forms as med_forms
from app.services.mediation import records as med
from app.services.mediation import views as mediation_views
from app.services.places import households
from models.cases import Case, CaseEvent
from models.mediation import (
    AgreementTerm,
    Convention,
    FollowUp,
    Mediation,
    MediationParty,
    MediationSession,
)
from models.places import Building, Grid, Resident
from models.sync import Change

LOCAL = clock.LOCAL_TZ


def _ac_id(community_id: str) -> str:
    return Mediation.get((Mediation.community == community_id)
                         & (Mediation.title == "13栋空调外机安放纠纷")).id


def _counts() -> tuple[int, ...]:
    return tuple(m.select().count() for m in (Change, Mediation, AgreementTerm, FollowUp,
                                              MediationSession, CaseEvent))


def _new_case(community_id: str) -> str:
    """A walk-in from 13-1-402: the upstairs AC unit sits on my window ledge."""
    b13 = Building.get((Building.community == community_id) & (Building.number == "13"))
    household = households.find_in_community(community_id, "13-1-402")
    assert household is not None
    head = households.head_of(household.id)
    assert head is not None
    at = datetime(2026, 11, 20, 9, 0, tzinfo=LOCAL)
    with store.write() as tx:
        case_id = tx.insert(Case, community=community_id, number="HB-20261120-901",
                            channel="walk_in", category="122", subcategory="shared_space",
                            reporter=head.id, reporter_name=head.name,
                            reporter_phone=head.phone, grid=b13.grid_id, building=b13.id,
                            unit="1", room="402", description="楼上空调外机放在我家窗台上",
                            colour="yellow", level="community", received_at=at)
        tx.append(CaseEvent, case=case_id, kind="received", at=at)
        tx.append(CaseEvent, case=case_id, kind="responded", at=at + timedelta(minutes=20))
    case_service.refresh_derived_cache([case_id])
    return case_id


def test_demo_holds_the_air_conditioner_dispute_from_case_to_follow_up(hubin) -> None:
    community = store.context().community_id
    m = mediation_views.detail(_ac_id(community))
    assert m.status == "agreed" and m.dispute_type == "ac_unit" and m.closed_on
    assert [p.address for p in m.parties] == ["13栋1单元402室", "13栋1单元502室"]
    assert {x.role for x in m.mediators} == {"secretary", "lawyer", "property"}
    assert m.sessions[0].place == "mediation_room"
    kinds = {b.kind for b in m.sessions[0].bases}
    assert kinds == {"drawing", "law", "convention"}
    upstairs, downstairs = m.terms
    assert upstairs.side == "B" and "移至" in upstairs.obligation
    assert downstairs.side == "A" and downstairs.cost_fen == 30000
    assert [t.status for t in m.terms] == ["done", "done"]
    assert set(m.follow_ups[0].checks.values()) == {"done"}
    events = [e.kind for e in case_service.events_of(m.case_id or "")]
    assert events.index("mediation_opened") < events.index("mediation_closed")
    assert case_service.current(m.case_id or "").state == "closed"
    cited = conventions.citations(Convention.get(Convention.title == "空调外机安装规范").id)
    assert m.number in [c.number for c in cited]


def test_air_conditioner_dispute_from_case_to_completed_follow_up(hubin, fixed_clock) -> None:
    community = store.context().community_id
    case_id = _new_case(community)
    draft = med.MediationDraft(dispute_type="ac_unit", title="13栋空调外机纠纷",
                               facts="楼上外机放在楼下窗台上", opened_on=date(2026, 11, 20))
    expected = med.next_number(store.context().prefix, 2026)
    mid = med.create_mediation(community, draft, case_id=case_id)
    assert case_service.current(case_id).state == "mediation"
    assert Case.get_by_id(case_id).state == "mediation"
    opened = CaseEvent.get((CaseEvent.case == case_id) & (CaseEvent.kind == "mediation_opened"))
    assert json.loads(opened.data) == {"mediation": mid}
    m = mediation_views.detail(mid)
    assert m.number == expected and m.case_number == "HB-20261120-901"
    assert [p.address for p in m.parties] == ["13栋1单元402室"]  # the caller, side A
    downstairs = m.parties[0].id
    upstairs = med.add_party(mid, med.PartyDraft(side="B", room="13-1-502"))
    med.add_mediator(mid, med.MediatorDraft(name="芳书记", role="secretary"))
    med.add_mediator(mid, med.MediatorDraft(name="驻社区律师", role="lawyer"))
    conv = Convention.get(Convention.title == "空调外机安装规范").id
    med.add_session(mid, med.SessionDraft(
        held_at=datetime(2026, 11, 22, 10, 0, tzinfo=LOCAL), place="mediation_room",
        attendees="双方、书记、律师、物业", said_a="外机挡光", said_b="那是公共区域",
        bases=[med.BasisDraft(kind="drawing", reference="13栋图纸"),
               med.BasisDraft(kind="law", reference="民法典第二百八十八条"),
               med.BasisDraft(kind="convention", convention_id=conv)]))
    move = med.add_term(mid, med.TermDraft(party_id=upstairs, obligation="移走空调外机",
                                           deadline=date(2026, 11, 24)))
    pay = med.add_term(mid, med.TermDraft(party_id=downstairs, obligation="承担移机费用",
                                          deadline=date(2026, 11, 24), cost_fen=30000))
    med.record_outcome(mid, med.OutcomeDraft(outcome="agreed", closed_on=date(2026, 11, 22)))
    assert case_service.current(case_id).state == "mediated"  # settled by the mediation
    assert [o.term_id for o in mediation_views.overdue_follow_ups(community)
            if o.mediation_id == mid] == [move, pay]
    med.add_follow_up(mid, med.FollowUpDraft(
        at=datetime(2026, 11, 25, 9, 0, tzinfo=LOCAL), by="网格员",
        checks={move: "done", pay: "done"}))
    m = mediation_views.detail(mid)
    assert m.status == "agreed" and [t.status for t in m.terms] == ["done", "done"]
    assert mid not in {o.mediation_id for o in mediation_views.overdue_follow_ups(community)}


def _open_mediation(community: str) -> str:
    return med.create_mediation(community, med.MediationDraft(
        dispute_type="noise", title="装修噪音", opened_on=date(2026, 11, 20)))


def test_term_bound_to_nobody_is_refused_and_writes_nothing(hubin) -> None:
    mid = _open_mediation(store.context().community_id)
    before = _counts()
    with pytest.raises(med.MediationError) as refused:
        med.add_term(mid, med.TermDraft(party_id="", obligation="赔偿损失", cost_fen=100))
    assert "party_id" in refused.value.errors
    with pytest.raises(med.MediationError):
        med_forms.save_form("term", {"party_id": "", "obligation": "赔偿"}, "", mid)
    assert _counts() == before


def test_follow_up_before_the_session_is_refused_and_writes_nothing(hubin) -> None:
    community = store.context().community_id
    mid = _open_mediation(community)
    pid = med.add_party(mid, med.PartyDraft(side="A", name="王某", contact="13800001111"))
    med.add_session(mid, med.SessionDraft(held_at=datetime(2026, 11, 23, 15, 0, tzinfo=LOCAL)))
    term = med.add_term(mid, med.TermDraft(party_id=pid, obligation="晚上十点后停止施工"))
    before = _counts()
    with pytest.raises(med.MediationError) as refused:
        med.add_follow_up(mid, med.FollowUpDraft(
            at=datetime(2026, 11, 22, 9, 0, tzinfo=LOCAL), checks={term: "done"}))
    assert "at" in refused.value.errors
    assert _counts() == before


def test_follow_up_without_any_session_is_refused(hubin) -> None:
    mid = _open_mediation(store.context().community_id)
    before = _counts()
    errors = med_forms.form_errors("follow_up", {"at": "2026-11-24 10:00"}, "", mid)
    assert "at" in errors and "checks" in errors
    assert _counts() == before


def test_agreement_needs_both_sides_and_a_reason_when_failed(hubin) -> None:
    mid = _open_mediation(store.context().community_id)
    before = _counts()
    errors = med_forms.form_errors("outcome", {"outcome": "agreed", "closed_on": "2026-11-24"},
                                   "", mid)
    assert "outcome" in errors
    errors = med_forms.form_errors("outcome", {"outcome": "failed", "closed_on": "2026-11-24"},
                                   "", mid)
    assert "reason" in errors
    errors = med_forms.form_errors("outcome", {"outcome": "referred", "reason": "x",
                                         "closed_on": "2026-11-24"}, "", mid)
    assert "referred_to" in errors
    assert _counts() == before


def test_a_closed_case_cannot_be_sent_to_mediation(hubin) -> None:
    community = store.context().community_id
    closed = Case.get((Case.community == community) & (Case.state == "closed")
                      & (Case.number != "")).id
    before = _counts()
    with pytest.raises(med.MediationError) as refused:
        med.create_mediation(community, med.MediationDraft(
            dispute_type="other", title="x", opened_on=date(2026, 11, 25)), case_id=closed)
    assert "case" in refused.value.errors
    assert _counts() == before


def test_overdue_follow_ups_come_first_in_the_list(hubin) -> None:
    community = store.context().community_id
    overdue = mediation_views.overdue_follow_ups(community, clock.today())
    assert overdue, "the demo has terms past their deadline without a follow-up"
    assert all(o.days_overdue > 0 for o in overdue)
    first = mediation_views.page(community, 0, 5)
    late = {o.mediation_id for o in overdue}
    assert first[0].id in late and first[0].overdue > 0
    # as of an earlier day, fewer terms are late
    assert len(mediation_views.overdue_follow_ups(community, date(2026, 1, 1))) < len(overdue)


def test_numbers_are_prefix_tj_year_counter_and_unique(empty_station) -> None:
    community = store.context().community_id
    with store.write() as tx:
        from models.places import Community
        tx.insert(Community, id=community, name="测试社区")
        tx.insert(Grid, community=community, number=1, name="一网格")
    a = _open_mediation(community)
    b = _open_mediation(community)
    numbers = [Mediation.get_by_id(x).number for x in (a, b)]
    assert numbers == ["TS-TJ-2026-001", "TS-TJ-2026-002"]


def test_party_from_room_takes_the_household_head(hubin) -> None:
    community = store.context().community_id
    mid = _open_mediation(community)
    pid = med.add_party(mid, med.PartyDraft(side="B", room="１３-1-502"))  # full-width digits
    party = next(p for p in mediation_views.detail(mid).parties if p.id == pid)
    assert party.address == "13栋1单元502室" and party.name and "****" in party.contact
    errors = med_forms.form_errors("party", {"side": "A", "room": "13-9-999"}, community, mid)
    assert "room" in errors
    household = households.find_in_community(community, "13-1-502")
    members = list(Resident.select().where(Resident.household == household))
    named = med.add_party(mid, med.PartyDraft(side="B", room="13-1-502", name=members[-1].name))
    assert MediationParty.get_by_id(named).resident_id == members[-1].id
    outsider = med.add_party(mid, med.PartyDraft(side="A", name="王某", contact="13800001111"))
    med.update_party(outsider, med.PartyDraft(side="A", name="王某某"))  # contact left blank
    edited = next(p for p in mediation_views.detail(mid).parties if p.id == outsider)
    assert (edited.name, edited.contact) == ("王某某", "138****1111")


def test_conventions_scope_and_citations(hubin) -> None:
    community = store.context().community_id
    before = conventions.count(community)
    with pytest.raises(med.MediationError):
        conventions.create(community, conventions.ConventionDraft(
            title="13栋楼道公约", scope="building", scope_ref="999"))
    cid = conventions.create(community, conventions.ConventionDraft(
        title="13栋楼道公约", scope="building", scope_ref="13", adopted_on=date(2026, 3, 1),
        meeting="13栋居民议事会", text="楼道内不得堆放杂物。"))
    assert conventions.count(community) == before + 1
    view = conventions.detail(cid)
    assert (view.scope, view.scope_ref, view.citations) == ("building", "13", [])
    rows = conventions.page(community, 0, 100)
    cited = next(r for r in rows if r.title == "空调外机安装规范")
    assert cited.citations >= 1


def test_term_status_cache_is_recomputed_from_follow_ups(hubin) -> None:
    community = store.context().community_id
    mid = _ac_id(community)
    AgreementTerm.update(status="pending").where(AgreementTerm.mediation == mid).execute()
    med._refresh_from_follow_ups({f.id for f in FollowUp.select().where(
        FollowUp.mediation == mid)})
    assert {t.status for t in AgreementTerm.select().where(AgreementTerm.mediation == mid)} \
        == {"done"}
