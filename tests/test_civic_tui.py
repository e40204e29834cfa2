"""The civic screens by keys, on the Hubin demo: an opinion from a visit, two opinions
grouped into a new item, and the ranked 民生清单 (F11) with its filter."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static

from app.config import Paths
from app.services.civic import items, opinions
from app.services.places import views as places
from models.visits import LivelihoodLink, Opinion, Visit
from screens.widgets.virtual_table import VirtualTable


def _keys(screen: Any) -> list[str]:
    table = screen.query_one(VirtualTable)
    return [table.row_at(i).key for i in range(table.row_count)]


async def test_an_opinion_recorded_from_a_visit(hubin: Paths) -> None:
    from app.tui import MulinApp

    app = MulinApp()
    before = Opinion.select().count()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        await pilot.press("v")
        await pilot.pause()
        assert type(app.screen).__name__ == "VisitFormScreen"
        await pilot.press(*"楼道灯坏了", "tab", "tab", "tab", "tab", "space", "ctrl+s")
        await pilot.pause()
        assert type(app.screen).__name__ == "OpinionFormScreen"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert type(app.screen).__name__ == "CareScreen"
    assert Opinion.select().count() == before + 1
    new = Opinion.select().order_by(Opinion.collected_on.desc(), Opinion.id.desc()).where(
        Opinion.visit.is_null(False)).get()
    visit = Visit.get_by_id(new.visit_id)
    assert new.content == "楼道灯坏了" and new.household_id == visit.household_id
    assert new.source == "visit"


async def test_group_two_opinions_into_a_new_item_that_joins_the_ranked_list(
        hubin: Paths) -> None:
    from app.tui import MulinApp

    app = MulinApp()
    community = places.default_community()
    assert community is not None
    building = places.buildings(community.id)[0].id
    pair = [opinions.record(opinions.OpinionForm(
        community_id=community.id, building_id=building, content=text))
        for text in ("南门秋千的铁链断了", "南门秋千铁链断了很危险")]
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f11")
        await pilot.pause()
        assert app.current_mode == "civic"
        before = _keys(app.screen)
        await pilot.press("o")
        await pilot.pause()
        loose = _keys(app.screen)
        assert set(pair) <= set(loose)
        await pilot.press(*["down"] * loose.index(pair[0]), "enter")
        await pilot.pause()
        await app.workers.wait_for_complete()  # suggestions are computed in a worker
        await pilot.pause()
        assert type(app.screen).__name__ == "GroupScreen"
        rows = _keys(app.screen)
        assert rows[0] == pair[1]  # the twin opinion is the best suggestion
        await pilot.press("space", "n")
        await pilot.pause()
        assert type(app.screen).__name__ == "ItemFormScreen"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert type(app.screen).__name__ == "LooseOpinionsScreen"
        assert not set(pair) & set(_keys(app.screen))
        await pilot.press("escape")
        await pilot.pause()
        after = _keys(app.screen)
    new = set(after) - set(before)
    assert len(new) == 1
    item_id = new.pop()
    held = {x.opinion_id for x in LivelihoodLink.select().where(LivelihoodLink.item == item_id)}
    assert held == set(pair)
    assert after == [r.id for r in items.ranked(community.id)]


async def test_the_ranked_list_opens_in_rank_order_and_filters(hubin: Paths) -> None:
    from app.tui import MulinApp

    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f11")
        await pilot.pause()
        ranked = items.ranked(app.community_id)
        assert _keys(app.screen) == [r.id for r in ranked]
        summary = str(app.screen.query_one("#civic-summary", Static).render())
        assert "32 项" in summary and "意见 240" in summary
        await pilot.press("f")  # 待议 only
        await pilot.pause()
        assert _keys(app.screen) == [r.id for r in ranked if r.status == "pending"]
        await pilot.press("f", "f", "f", "f", "enter")  # back to all, open the first
        await pilot.pause()
        assert type(app.screen).__name__ == "ItemDetailScreen"
        head = str(app.screen.query_one("#item-head", Static).render())
        assert f"第 1 位　{ranked[0].title}" in head
        await pilot.press("escape", "c")  # the funnel per grid and building
        await pilot.pause()
        assert type(app.screen).__name__ == "FunnelScreen"
        table = app.screen.query_one(VirtualTable)
        first = table.row_at(0)
        assert first is not None and list(first.cells[:2]) == ["第1网格", "33"]
        grids = [table.row_at(i) for i in range(13)]
        assert sum(int(r.cells[1]) for r in grids if r) == 240


async def test_a_meeting_on_the_top_item_records_its_vote(hubin: Paths) -> None:
    from app.services.civic import meetings
    from app.tui import MulinApp

    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f11")
        await pilot.pause()
        top = items.ranked(app.community_id)[0]
        await pilot.press("space", "up", "m")
        await pilot.pause()
        assert type(app.screen).__name__ == "MeetingFormScreen"
        await pilot.press(*"十一月议事会", "tab", "tab", *"张三、李四", "ctrl+s")
        await pilot.pause()
        assert type(app.screen).__name__ == "MeetingScreen"
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "DecisionFormScreen"
        await pilot.press(*"21", "tab", "2", "tab", "1", "ctrl+s")
        await pilot.pause()
        assert type(app.screen).__name__ == "MeetingScreen"
    held = [m for m in meetings.meetings(app.community_id) if m.title == "十一月议事会"]
    assert len(held) == 1 and held[0].decided == 1
    row = meetings.agenda(held[0].id)[0]
    assert (row.item_id, row.outcome, row.votes) == (top.id, "adopted", (21, 2, 1))


async def test_the_notice_of_one_building_is_printed_from_the_list(hubin: Paths) -> None:
    from app.tui import MulinApp

    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f11")
        await pilot.pause()
        await pilot.press("p", "1", "2", "enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
    written = sorted(p.suffix for p in (hubin.data_dir / "exports").glob("12栋-民生清单公示-*"))
    assert written == [".pdf", ".xlsx"]
