"""The English interface: no Chinese left in its catalogs, and the lists fit 80 columns
without cutting words so badly they cannot be read (issue 13)."""

from __future__ import annotations

import re

from app import i18n
from app.config import Paths
from tests.tui_support import screen_text

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")

#: keys whose English text shows Chinese on purpose, and why
ALLOWED_CHINESE = {
    "intake.category_hint": "shows that a category can be typed in 汉字 (停电)",
    "civic.form.names_hint": "names the Chinese list separator 、 residents type",
    "help.search": "examples of what can be typed: a name in 汉字, 12栋3单元402",
    "search.placeholder": "an example name in 汉字 next to its initials",
}


def test_english_catalogs_hold_no_chinese_beyond_the_allow_list() -> None:
    chinese = {k for k, v in i18n.catalog("en").items() if CJK.search(v)}
    assert chinese - set(ALLOWED_CHINESE) == set()
    assert set(ALLOWED_CHINESE) <= chinese  # the list stays short: no stale entries


async def test_english_lists_fit_80_columns(hubin: Paths) -> None:
    from app.tui import MulinApp

    i18n.set_lang("en")
    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await pilot.pause(0.3)
        mediation = screen_text(app)
        await pilot.press("f6")
        await pilot.pause(0.3)
        care = screen_text(app)
        await pilot.press("f8")
        await pilot.pause(0.3)
        handover = screen_text(app)
        await pilot.press("f11")
        await pilot.pause(0.3)
        civic = screen_text(app)
    assert "F-up" in mediation and "Follo…" not in mediation and "Shared …" not in mediation
    assert "Door" in care and "、" not in care and not re.search(r"\d-\d…", care)
    assert not re.search(r"^\s*[RYG]…", handover, flags=re.M)
    assert "unsynced" in civic  # the header is not cut at 80 columns
    assert not re.search(r"major: …|urgent:…|commu…|in prog…", civic)
