"""The history (Ctrl+Y) reads coded values in words, in the interface language: a
resident's gender and relation, a case's state, colour and level (issue: raw M / head)."""

from __future__ import annotations

import pytest

from app import labels
from app.config import Paths
from app.i18n import set_lang, t
from app.services.trust import audit
from app.tui import MulinApp
from models.cases import Case
from models.places import Resident
from tests.trust_support import add_staff, nobody, sign_in  # noqa: F401
from tests.tui_support import screen_text, shows

pytestmark = pytest.mark.usefixtures("nobody")


def _pair(field: str, words: str) -> str:
    return f"{t(f'field.{field}')}={words}"


async def test_history_shows_codes_in_words(hubin: Paths) -> None:
    add_staff()
    app = MulinApp()
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, 0, "0000")
        await pilot.press("f3", "2")
        await pilot.pause()
        record = app.screen.current_record()
        assert record is not None and record[0] == "resident"
        r = Resident.get_by_id(record[1])
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert r.gender and r.relation
        assert shows(app, _pair("gender", t(f"gender.{r.gender}")),
                     _pair("relation", t(f"relation.{r.relation}")))
        text = screen_text(app) + " "
        assert f"={r.gender} " not in text and "=False" not in text and "=0 " not in text
        await pilot.press("escape", "f4")
        await pilot.pause()
        record = app.screen.current_record()
        assert record is not None and record[0] == "case"
        c = Case.get_by_id(record[1])
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert shows(app, _pair("state", t(f"state.{c.state}")),
                     _pair("colour", t(f"colour.{c.colour}")))


def test_words_follow_the_interface_language(hubin: Paths) -> None:
    r = Resident.select().where(Resident.gender == "F").first()
    c = Case.select().where(Case.state == "in_progress").first()
    try:
        set_lang("en")
        assert audit.current_values("case", c.id)["state"] == "In progress"
    finally:
        set_lang("zh")
    assert audit.current_values("case", c.id)["state"] == t("state.in_progress") != "in_progress"
    assert audit.current_values("resident", r.id)["gender"] == "女"
    assert labels.field("opinion", "category", "我们自己的类别") == "我们自己的类别"
    assert labels.field("care_flag", "services", "meals,cleaning") == \
        f"{t('care.service.meals')}、{t('care.service.cleaning')}"


def test_references_by_name_times_local_and_no_ordering_helpers(hubin: Paths) -> None:
    """A case's building and grid read by their names, its times in the desk's local time,
    and the list's ordering helpers (open_rank, due_next) are not shown as content."""
    from app import clock

    c = Case.select().where(Case.building.is_null(False) & Case.grid.is_null(False)).first()
    shown = audit.current_values("case", c.id)
    assert shown["building"] == c.building.name and shown["grid"] == c.grid.name
    assert shown["received_at"] == clock.local(c.received_at.replace(tzinfo=clock.UTC)
                                               ).strftime("%Y-%m-%d %H:%M")
    assert "open_rank" not in shown and "due_next" not in shown
    assert t("field.received_at") != "field.received_at"
