"""Dropdowns open where they can be seen and never cover a label, at 80x24 (issue 13)."""

from __future__ import annotations

from typing import Any

from app.config import Paths


def _check_open_dropdown(app: Any) -> None:
    from textual.widgets import Label, Select
    from textual.widgets._select import SelectOverlay

    opened = [s for s in app.screen.query(Select) if s.expanded]
    assert len(opened) == 1
    overlay = opened[0].query_one(SelectOverlay)
    region = overlay.region
    assert overlay.display and region.height >= 3  # it shows its choices
    assert region.right <= 80 and region.bottom <= 24
    for label in app.screen.query(Label):
        if label.region.area and str(label.render()).strip():
            assert not region.overlaps(label.region), str(label.render())


async def test_intake_and_mediation_dropdowns_leave_labels_visible(hubin: Paths) -> None:
    from app.tui import MulinApp

    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await pilot.pause(0.2)
        await pilot.press(*["tab"] * 7, "enter")  # 办理层级
        await pilot.pause(0.2)
        _check_open_dropdown(app)
        await pilot.press("escape", "escape", "escape")
        await pilot.pause(0.2)
        await pilot.press("f5")
        await pilot.pause(0.2)
        await pilot.press("n")
        await pilot.pause(0.2)
        await pilot.press("enter")  # 纠纷类型
        await pilot.pause(0.2)
        _check_open_dropdown(app)
        await pilot.press("escape", "escape", "escape")
        await pilot.pause(0.2)
        await pilot.press("f2")
        await pilot.pause(0.2)
        await pilot.press("v")  # a visit to the selected building
        await pilot.pause(0.2)
        await pilot.press(*["tab"] * 6, "enter")  # 诉求分级
        await pilot.pause(0.2)
        _check_open_dropdown(app)
