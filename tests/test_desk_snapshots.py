"""Snapshots at 80x24 in Chinese and English: cases, dashboard, ledger (issue 13).

Hubin demo, clock fixed at 10:00; no text input is focused (no blinking cursor); each
SVG was rendered to PNG and looked at before it was accepted.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from app import i18n
from app.config import Paths

LANGS = ["zh", "en"]


@pytest.fixture
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    i18n.set_lang(request.param)
    yield request.param
    i18n.set_lang("zh")


def _app() -> Any:
    from app.tui import MulinApp

    return MulinApp()


@pytest.mark.parametrize("lang", LANGS, indirect=True)
def test_cases_80x24(hubin: Paths, snap_compare: Any, lang: str) -> None:
    assert snap_compare(_app(), terminal_size=(80, 24), press=["f4", "wait:300"])


@pytest.mark.parametrize("lang", LANGS, indirect=True)
def test_dashboard_80x24(hubin: Paths, snap_compare: Any, lang: str) -> None:
    async def open_dashboard(pilot: Any) -> None:
        await pilot.press("f7")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()  # the rates are computed in a worker
        await pilot.pause()

    assert snap_compare(_app(), terminal_size=(80, 24), run_before=open_dashboard)


@pytest.mark.parametrize("lang", LANGS, indirect=True)
def test_ledger_80x24(hubin: Paths, snap_compare: Any, lang: str) -> None:
    assert snap_compare(_app(), terminal_size=(80, 24), press=["f3", "wait:300"])
