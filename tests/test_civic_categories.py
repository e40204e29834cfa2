"""The community's own opinion categories, set by the admin from the livelihood list
(F11 → ``t``): stamped and logged; a refusal keeps the prompt open with the reason and
the typed text; duty staff are told why."""

from __future__ import annotations

import pytest

from app.config import Paths
from app.i18n import t
from app.services.civic import opinions
from app.services.trust import operators, permissions
from models.sync import Change
from screens.widgets.prompt import SavingPrompt
from tests.trust_support import add_staff, nobody, sign_in  # noqa: F401
from tests.tui_support import notices, shows

pytestmark = pytest.mark.usefixtures("nobody")


def _logged() -> int:
    return Change.select().where(Change.table == "setting").count()


def test_only_the_admin_sets_them_and_bad_input_writes_nothing(hubin: Paths) -> None:
    ids = add_staff("duty")
    before = _logged()
    operators.sign_in_as(ids["duty"])
    with pytest.raises(permissions.Refused):
        opinions.set_categories("环境卫生")
    operators.sign_in_as(ids["admin"])
    with pytest.raises(opinions.CivicError):
        opinions.set_categories("环境卫生、" + "很" * 13)
    assert _logged() == before
    offered = opinions.set_categories("环境卫生，停车交通、110、环境卫生")
    assert offered == (*opinions.CATEGORIES, "环境卫生", "停车交通")
    assert opinions.own_categories() == ("环境卫生", "停车交通") and _logged() == before + 1
    opinions.set_categories("")
    assert opinions.categories() == opinions.CATEGORIES


async def test_admin_edits_them_from_the_livelihood_list(hubin: Paths) -> None:
    from app.tui import MulinApp

    add_staff("duty")
    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, 1, "1111")
        await pilot.press("f11", "t")
        await pilot.pause()
        assert not isinstance(app.screen, SavingPrompt) and "书记/管理员" in notices(app)
    operators.sign_out()
    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, 0, "0000")
        await pilot.press("f11", "t")
        await pilot.pause()
        assert isinstance(app.screen, SavingPrompt)
        too_long = "很" * 13
        await pilot.press(*"环境卫生", "comma", *too_long, "enter")
        await pilot.pause()
        assert isinstance(app.screen, SavingPrompt)  # refused: open, reason, text kept
        assert shows(app, t("civic.err.category_long", chars=opinions.CATEGORY_CHARS))
        assert app.screen.query_one("#prompt-input").value == f"环境卫生,{too_long}"
        await pilot.press(*["backspace"] * 14, "enter")
        await pilot.pause()
        assert not isinstance(app.screen, SavingPrompt)
        assert opinions.own_categories() == ("环境卫生",)
        assert t("civic.categories_saved") in notices(app)
