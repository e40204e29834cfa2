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
