"""Residents' opinions in the search box (Ctrl+F): found by words of their text or their
number, Enter lands on them in the building ledger; phones and IDs in the text follow
the role's masking, and cannot be searched by."""

from __future__ import annotations

from typing import Any

import pytest

from app.config import Paths
from app.services.civic import opinions
from app.services.places import views as places
from app.services.search import lookup as search
from app.services.trust import operators
from screens.search.find import SearchScreen
from screens.widgets.virtual_table import VirtualTable
from tests.trust_support import add_staff, nobody, sign_in  # noqa: F401
from tests.tui_support import shows

pytestmark = pytest.mark.usefixtures("nobody")

PHONE = "13912345678"


def _community() -> str:
    community = places.default_community()
    assert community is not None
    return community.id


def _opinion(text: str, building_index: int = 0) -> tuple[str, Any]:
    b = places.buildings(_community())[building_index]
    oid = opinions.record(opinions.OpinionForm(community_id=_community(), building_id=b.id,
                                               content=text))
    return oid, b


def _opinion_hits(typed: str) -> list[search.Hit]:
    return [h for h in search.search(typed).hits if h.kind == "opinion"]


def test_found_by_words_and_number_masked_by_role(hubin: Paths) -> None:
    oid, b = _opinion(f"垃圾桶满溢无人清运请联系{PHONE}")
    hits = _opinion_hits("满溢无人")
    assert [h.id for h in hits] == [oid]
    assert _opinion_hits(oid[:8])[0].id == oid
    assert _opinion_hits(PHONE[-8:]) == [] and _opinion_hits(PHONE) == []
    other = next(g.id for g in places.map_data(_community()).grids if g.id != b.grid_id)
    ids = add_staff("grid_worker", grid_id=b.grid_id)
    operators.sign_in_as(ids["grid_worker"])  # their own grid: the phone in clear
    assert PHONE in _opinion_hits("满溢无人")[0].detail
    operators.sign_in_as(ids["admin"])
    operators.set_grid("网格员", other)
    detail = _opinion_hits("满溢无人")[0].detail
    assert PHONE not in detail and "139****5678" in detail  # the admin sees it masked
    operators.sign_in_as(ids["grid_worker"])
    assert PHONE not in _opinion_hits("满溢无人")[0].detail  # another grid's: masked
    opinions.update(oid, opinions.OpinionForm(community_id=_community(), building_id=b.id,
                                              content="路灯不亮"))
    assert _opinion_hits("满溢无人") == [] and _opinion_hits("路灯不亮")[0].id == oid


async def test_ctrl_f_finds_an_opinion_and_enter_lands_on_it(hubin: Paths) -> None:
    from app.tui import MulinApp

    oid, b = _opinion("井盖松动夜里有响声", building_index=2)
    add_staff("duty")
    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, 1, "1111")
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)
        await pilot.press("井", "盖", "松", "动")
        for _ in range(50):
            await pilot.pause(0.05)
            if app.screen.ready and app.screen.shown_generation == app.screen.generation:
                break
        assert shows(app, "居民意见（1）", oid[:8], "井盖松动夜里有响声")
        await pilot.press("enter")
        for _ in range(20):
            await pilot.pause(0.05)
            if getattr(app.screen, "section", "") == "opinions":
                break
        assert app.screen.building_id == b.id and app.screen.section == "opinions"
        assert app.screen.query_one(VirtualTable).current_row.key == oid
