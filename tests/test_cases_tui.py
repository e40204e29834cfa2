"""The duty desk from the keyboard: intake → dispatch → resolve → evaluate; refusals; filters."""

from __future__ import annotations

from typing import Any

from app.config import Paths
from app.services.cases import views as case_views
from app.services.cases.views import CaseFilter
from models.cases import Case, Evaluation


def _notes(app: Any) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_intake_dispatch_resolve_evaluate_from_the_keyboard(hubin: Paths) -> None:
    from app.tui import MulinApp
    from screens.cases.board import CasesScreen
    from screens.cases.detail import CaseDetailScreen

    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        assert isinstance(app.screen, CasesScreen)
        before = Case.select().count()
        await pilot.press("f9")
        await pilot.pause()
        # reporter (no one by that name) → phone → place; category typed; description
        await pilot.press(*"匿名", "tab", "tab", *"5栋", "tab", *"110", "enter", *"停电",
                          "ctrl+s")
        await pilot.pause()
        assert Case.select().count() == before + 1
        new = Case.select().order_by(Case.received_at.desc(), Case.number.desc()).first()
        assert new.description == "停电" and new.reporter_name == "匿名"
        assert any(new.number in n for n in _notes(app))
        # find it, open it
        await pilot.press("slash", *new.number, "enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, CaseDetailScreen)
        # not yet responded: dispatching is refused with the reason, nothing recorded
        await pilot.press("d")
        await pilot.pause()
        assert any("不能派单：诉求当前为“已受理”" in n for n in _notes(app))
        assert Case.get_by_id(new.id).state == "received"
        await pilot.press("r", "d")
        await pilot.pause()
        await pilot.press(*"李伟友", "ctrl+s")
        await pilot.pause()
        assert (Case.get_by_id(new.id).state, Case.get_by_id(new.id).handler) == \
            ("dispatched", "李伟友")
        await pilot.press("s", "v")
        await pilot.pause()
        await pilot.press(*"已恢复供电", "enter")
        await pilot.pause()
        assert Case.get_by_id(new.id).state == "resolved"
        await pilot.press("p")
        await pilot.pause()
        await pilot.press("5", "ctrl+s")
        await pilot.pause()
        assert Case.get_by_id(new.id).state == "evaluated"
        rating = Evaluation.get(Evaluation.case == new.id)
        assert (rating.kind, rating.score, rating.method) == ("resident", 5, "phone_callback")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CasesScreen)


async def test_filters_narrow_the_list(hubin: Paths) -> None:
    from app.tui import MulinApp
    from screens.widgets.virtual_table import VirtualTable

    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        table = app.screen.query_one("#cases", VirtualTable)
        community = app.community_id
        assert table.row_count == case_views.count(community)
        await pilot.press("f")
        await pilot.pause()
        await pilot.press("tab", "tab", "tab", "enter", "down", "enter", "ctrl+s")  # colour: red
        await pilot.pause()
        reds = case_views.count(community, CaseFilter(colour="red"))
        assert 0 < reds < case_views.count(community)
        assert table.row_count == reds
        assert all(table.row_at(i).style == "red" for i in range(reds))  # type: ignore[union-attr]
        assert "红" in str(app.screen.query_one("#cases-summary").render())
        await pilot.press("escape")  # clears the filters
        await pilot.pause()
        assert table.row_count == case_views.count(community)
        words = case_views.page(community, None, 0, 1)[0].description[:4]
        await pilot.press("slash", *words)
        await pilot.pause()
        found = case_views.count(community, CaseFilter(text=words))
        assert table.row_count == found > 0
        assert all(words in row.description for row in
                   case_views.page(community, CaseFilter(text=words), 0, 50))
        await pilot.press("escape", "escape")  # leave the box, clear
        await pilot.pause()
        await pilot.press("f", *words)  # the filter form's text narrows the list live
        await pilot.pause()
        assert table.row_count == found
        await pilot.press("enter")
        await pilot.pause()
        assert table.row_count == found and "“" in str(
            app.screen.query_one("#cases-summary").render())
        # F9 takes a new case from anywhere, even with the search box focused
        from screens.cases.intake import IntakeScreen

        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, IntakeScreen)
        await pilot.press("ctrl+s")  # no category: refused next to the form, nothing saved
        await pilot.pause()
        assert isinstance(app.screen, IntakeScreen)
        assert "类别" in str(app.screen.query_one("#intake-error").render())
        assert app.focused is not None and app.focused.id == "category"  # the field to fix
        await pilot.press(*"114", "enter", "ctrl+s")  # typed into it; now no description
        await pilot.pause()
        assert "诉求内容" in str(app.screen.query_one("#intake-error").render())
        assert app.focused is not None and app.focused.id == "description"
        await pilot.press("escape")
