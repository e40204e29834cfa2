"""Opinions → items → meetings: grouping, the computed rank, classes, statuses, decisions.
Every refusal leaves the database exactly as it was (digest and change log)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from app.config import Paths
from app.services.civic import grouping, items, meetings, opinions
from app.services.station import stats
from models.cases import Case
from models.mediation import Convention
from models.sync import Change
from models.visits import LivelihoodItem
from tests.civic_support import COMMUNITY, seed


@pytest.fixture
def town(empty_station: Paths) -> dict[str, list[str]]:
    return seed()


def _opinion(town: dict[str, list[str]], text: str, b: int = 0, h: int | None = 0,
             **extra: Any) -> str:
    household = town["households"][b + 2 * h] if h is not None else None
    return opinions.record(opinions.OpinionForm(
        community_id=COMMUNITY, building_id=town["buildings"][b], household_id=household,
        content=text, collected_on="2026-11-20", collected_by="网格员", **extra))


def _unchanged(action: Callable[[], object]) -> str:
    """Run a refused action; the digest and the change log must not move."""
    before = (stats.digest(), Change.select().count())
    with pytest.raises(opinions.CivicError) as exc:
        action()
    assert (stats.digest(), Change.select().count()) == before
    return next(iter(exc.value.errors.values()))


def test_opinion_needs_text_and_a_real_date_and_building(town: dict[str, list[str]]) -> None:
    form = opinions.OpinionForm(community_id=COMMUNITY, building_id=town["buildings"][0],
                                content="  ", collected_on="2026-02-30")
    with pytest.raises(opinions.CivicError) as exc:
        opinions.record(form)
    assert exc.value.errors == {"content": "required", "collected_on": "date"}
    other = form.model_copy(update={"content": "路灯不亮", "collected_on": "",
                                    "building_id": "nope"})
    assert _unchanged(lambda: opinions.record(other)) == "building"


def test_an_anonymous_opinion_is_kept_without_household(town: dict[str, list[str]]) -> None:
    oid = _opinion(town, "楼道灯坏了", h=None)
    view = opinions.view(oid)
    assert view.household_id is None and view.place == "" and view.building == "1"


def test_similarity_uses_pinyin_so_a_mistyped_word_still_matches() -> None:
    assert grouping.similarity("希望加装电梯", "加装电梯的问题") == 1.0
    assert grouping.similarity("老楼加装电梯", "老楼加装电题") >= 0.8  # 梯/题: same sound
    assert grouping.similarity("路灯不亮", "遛狗不牵绳") < grouping.THRESHOLD


def test_suggestions_put_the_similar_opinion_and_item_first(town: dict[str, list[str]]) -> None:
    a = _opinion(town, "希望加装电梯")
    b = _opinion(town, "老楼加装电题，老人上楼难", h=1)
    unrelated = _opinion(town, "遛狗不牵绳", h=1)
    found = grouping.suggest(a)
    assert [s.id for s in found] == [b]
    item = items.create(COMMUNITY, items.ItemForm(title="加装电梯"), [a, b])
    c = _opinion(town, "加装电梯什么时候开始", b=1)
    top = grouping.suggest(c)[0]
    assert (top.kind, top.id) == ("item", item)
    assert unrelated not in [s.id for s in grouping.suggest(c)]


def test_rank_is_urgency_times_importance_then_households(town: dict[str, list[str]]) -> None:
    lamp = items.create(COMMUNITY, items.ItemForm(title="路灯维修", urgency=3, importance=2),
                        [_opinion(town, "路灯不亮")])
    lift = items.create(COMMUNITY, items.ItemForm(title="加装电梯", urgency=2, importance=3),
                        [_opinion(town, "加装电梯")])
    park = items.create(COMMUNITY, items.ItemForm(title="停车难", urgency=3, importance=3))
    assert [r.id for r in items.ranked(COMMUNITY)] == [park, lamp, lift] or \
        [r.id for r in items.ranked(COMMUNITY)] == [park, lift, lamp]
    # lift and lamp tie at 6: a second household behind the lift puts it ahead
    items.add_opinions(lift, [_opinion(town, "电梯", h=1)])
    assert [r.id for r in items.ranked(COMMUNITY)] == [park, lift, lamp]
    assert items.ranked(COMMUNITY)[1].households == 2
    # a done item sinks below every live one whatever its score
    items.set_status(park, "done")
    assert [r.id for r in items.ranked(COMMUNITY)] == [lift, lamp, park]


def test_an_opinion_from_another_building_widens_the_scope(town: dict[str, list[str]]) -> None:
    item = items.create(COMMUNITY, items.ItemForm(title="加装电梯"), [_opinion(town, "电梯")])
    assert LivelihoodItem.get_by_id(item).building_id == town["buildings"][0]
    items.add_opinions(item, [_opinion(town, "电梯", b=1)])
    assert LivelihoodItem.get_by_id(item).building_id is None


def test_refusals_write_nothing(town: dict[str, list[str]]) -> None:
    item = items.create(COMMUNITY, items.ItemForm(title="停车难"))
    assert _unchanged(lambda: items.set_status(item, "rejected", "  ")) == "reason_needed"
    assert _unchanged(lambda: items.set_status(item, "pending")) == "same"
    assert _unchanged(lambda: items.create(COMMUNITY, items.ItemForm(
        title="x", urgency=5))) == "level"
    assert _unchanged(lambda: items.create(COMMUNITY, items.ItemForm(title="x"),
                                           ["missing-opinion"])) == "opinion_gone"
    assert _unchanged(lambda: items.add_note(item, " ")) == "required"


def test_rejection_keeps_its_reason_and_a_note(town: dict[str, list[str]]) -> None:
    from app.services.civic.detail import item_detail

    item = items.create(COMMUNITY, items.ItemForm(title="停车难"))
    items.set_status(item, "rejected", "涉及产权")
    d = item_detail(item)
    assert d.row.status == "rejected" and d.reason == "涉及产权"
    assert d.notes[0].kind == "status" and "涉及产权" in d.notes[0].text


def test_a_small_matter_opens_its_linked_case_at_once(town: dict[str, list[str]]) -> None:
    oid = _opinion(town, "楼道灯坏了")
    item = items.create(COMMUNITY, items.ItemForm(title="楼道灯维修", kind="small",
                                                  category="110"), [oid])
    row = LivelihoodItem.get_by_id(item)
    case = Case.get_by_id(row.case)
    assert row.status == "in_progress" and row.kind == "small"
    assert case.description.startswith("楼道灯维修") and case.category == "110"
    assert case.state == "received" and case.building_id == town["buildings"][0]
    assert items.ranked(COMMUNITY)[0].case_number == case.number
    # classing it again does not open a second case
    items.set_kind(item, "urgent")
    items.set_kind(item, "small")
    assert Case.select().count() == 1


def test_a_consultation_starts_an_urgent_item(town: dict[str, list[str]]) -> None:
    item = items.create(COMMUNITY, items.ItemForm(title="化粪池冒水", kind="urgent"))
    items.add_note(item, "与物业、楼栋长共商，三日内清掏", "consultation")
    assert LivelihoodItem.get_by_id(item).status == "in_progress"


def _meeting(town: dict[str, list[str]], *item_ids: str) -> str:
    return meetings.create(COMMUNITY, meetings.MeetingForm(
        held_on="2026-11-24", level="class", title="十一月班长议事会",
        residents="张三、李四", chiefs="王五", staff="书记"), list(item_ids))


def test_a_decision_adopts_a_convention_and_moves_the_item(town: dict[str, list[str]]) -> None:
    item = items.create(COMMUNITY, items.ItemForm(title="停车难"))
    meeting = _meeting(town, item)
    agenda = meetings.agenda(meeting)[0]
    meetings.decide(agenda.id, meetings.DecisionForm(
        outcome="adopted", votes_for="21", votes_against="2", votes_abstain="1",
        decision="划线停车，夜间限速", new_status="in_progress", convention="院落行车公约"))
    conv = Convention.get(Convention.title == "院落行车公约")
    assert conv.meeting == "十一月班长议事会" and conv.adopted_on.isoformat() == "2026-11-24"
    row = meetings.agenda(meeting)[0]
    assert (row.outcome, row.votes, row.convention) == ("adopted", (21, 2, 1), "院落行车公约")
    assert LivelihoodItem.get_by_id(item).status == "in_progress"
    # a second meeting citing the same title links the existing convention
    again = _meeting(town, item)
    meetings.decide(meetings.agenda(again)[0].id, meetings.DecisionForm(
        outcome="adopted", votes_for="9", convention="院落行车公约"))
    assert Convention.select().where(Convention.title == "院落行车公约").count() == 1


def test_a_refused_decision_writes_nothing(town: dict[str, list[str]]) -> None:
    item = items.create(COMMUNITY, items.ItemForm(title="停车难"))
    agenda = meetings.agenda(_meeting(town, item))[0]
    bad = meetings.DecisionForm(outcome="adopted", votes_for="二十", convention="新公约")
    assert _unchanged(lambda: meetings.decide(agenda.id, bad)) == "votes"
    no_reason = meetings.DecisionForm(outcome="rejected", votes_for="3", votes_against="20",
                                      new_status="rejected")
    assert _unchanged(lambda: meetings.decide(agenda.id, no_reason)) == "reason_needed"
    assert Convention.select().count() == 0
    assert _unchanged(lambda: meetings.create(COMMUNITY, meetings.MeetingForm(
        held_on="2026-11-24", staff="书记"), [])) == "item_gone"


def test_the_hubin_demo_tells_the_seed_story(hubin: Paths) -> None:
    from app.services.civic import counts, detail
    from app.services.places import views as places

    community = places.default_community()
    assert community is not None
    s = detail.summary(community.id)
    assert (s.opinions, s.items) == (240, 32) and s.loose > 0
    assert all(s.by_status[x] > 0 for x in items.STATUSES)
    whole = counts.total(community.id)
    assert (whole.opinions, whole.items, whole.done) == (240, 32, s.by_status["done"])
    assert sum(g.opinions for g in counts.by_place(community.id, "grid")) == 240
    held = meetings.meetings(community.id)
    assert held and all(m.decided == m.agenda > 0 for m in held)
    small = [r for r in items.ranked(community.id) if r.kind == "small"]
    assert small and all(r.case_number for r in small)


def test_merging_moves_the_opinions_and_deletes_the_source(town: dict[str, list[str]]) -> None:
    a = items.create(COMMUNITY, items.ItemForm(title="加装电梯"), [_opinion(town, "电梯")])
    shared = _opinion(town, "电梯太慢", h=1)
    b = items.create(COMMUNITY, items.ItemForm(title="电梯改造"), [shared])
    items.add_opinions(a, [shared])
    assert items.merge(b, a) == 0  # the shared opinion was already in a
    assert [r.id for r in items.ranked(COMMUNITY)] == [a]
    assert items.ranked(COMMUNITY)[0].opinions == 2
    assert LivelihoodItem.get_by_id(b).deleted
    assert _unchanged(lambda: items.merge(a, a)) == "same_item"


def test_a_community_setting_adds_its_own_categories(town: dict[str, list[str]]) -> None:
    from app.services.station import settings

    form = opinions.OpinionForm(community_id=COMMUNITY, building_id=town["buildings"][0],
                                content="垃圾堆放", category="环境卫生")
    assert _unchanged(lambda: opinions.record(form)) == "choice"
    settings.put_json(opinions.CATEGORY_SETTING, ["环境卫生", "停车交通"])
    assert opinions.categories()[-2:] == ("环境卫生", "停车交通")
    assert opinions.view(opinions.record(form)).category == "环境卫生"
    assert opinions.category_label("环境卫生") == "环境卫生"
    assert opinions.category_label("119") == "有难必帮"
