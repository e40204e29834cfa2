"""Snapshots of the cases screen and the dashboard (Hubin demo, clock fixed at 10:00)."""

from __future__ import annotations

from typing import Any

import pytest

from app.config import Paths


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_cases_screen_snapshot(hubin: Paths, snap_compare: Any, size: tuple[int, int]) -> None:
    from app.tui import MulinApp

    assert snap_compare(MulinApp(), terminal_size=size, press=["f4", "wait:300"])


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_dashboard_snapshot(hubin: Paths, snap_compare: Any, size: tuple[int, int]) -> None:
    from app.tui import MulinApp

    async def open_dashboard(pilot: Any) -> None:
        await pilot.press("f7")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()  # the rates are computed in a worker
        await pilot.pause()

    assert snap_compare(MulinApp(), terminal_size=size, run_before=open_dashboard)
