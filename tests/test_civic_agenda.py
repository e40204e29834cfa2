"""A meeting's agenda changes until its first vote (a, x, u/d on the meeting screen), and
prompts that save keep what was typed when refused (minutes, key-care cadence, rounds)."""

from __future__ import annotations

import pytest

from app.config import Paths
from app.i18n import t
from app.services.civic import items, meetings
from app.services.places import care
from app.services.places import views as places
from models.sync import Change
from screens.widgets.prompt import SavingPrompt
from tests.tui_support import notices, shows


def _community() -> str:
    community = places.default_community()
    assert community is not None
    return community.id


def _meeting(item_ids: list[str]) -> str:
    form = meetings.MeetingForm(title="测试议事会", residents="张三")
    return meetings.create(_community(), form, item_ids)


def test_agenda_changes_until_the_first_vote(hubin: Paths) -> None:
    ranked = [r.id for r in items.ranked(_community())[:3]]
    mid = _meeting(ranked[:2])
    first, second = meetings.agenda(mid)
    assert ranked[2] in dict(meetings.addable(mid)) and ranked[0] not in dict(meetings.addable(mid))
    meetings.add_to_agenda(mid, ranked[2])
    meetings.move_in_agenda(meetings.agenda(mid)[2].id, -1)
    assert [a.item_id for a in meetings.agenda(mid)] == [ranked[0], ranked[2], ranked[1]]
    assert [a.position for a in meetings.agenda(mid)] == [1, 2, 3]
    meetings.remove_from_agenda(first.id)
    assert [a.item_id for a in meetings.agenda(mid)] == [ranked[2], ranked[1]]
    meetings.decide(second.id, meetings.DecisionForm(outcome="adopted", votes_for="5"))
    before = Change.select().count()
    for refused in (lambda: meetings.add_to_agenda(mid, ranked[0]),
                    lambda: meetings.remove_from_agenda(meetings.agenda(mid)[0].id),
                    lambda: meetings.move_in_agenda(second.id, -1)):
        with pytest.raises(meetings.CivicError) as err:
            refused()
        assert err.value.errors == {"agenda": "agenda_fixed"}
    with pytest.raises(meetings.CivicError):
        meetings.update_minutes(mid, "很" * (meetings.MAX_MINUTES + 1))
    assert Change.select().count() == before  # refusals wrote nothing
    lone = _meeting(ranked[:1])
    with pytest.raises(meetings.CivicError) as err:
        meetings.remove_from_agenda(meetings.agenda(lone)[0].id)
    assert err.value.errors == {"agenda": "agenda_empty"}


async def test_add_move_and_remove_by_keys_then_fixed_after_the_vote(hubin: Paths) -> None:
    from app.tui import MulinApp

    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f11")
        await pilot.pause()
        ranked = items.ranked(app.community_id)
        await pilot.press("space", "up", "m")
        await pilot.pause()
        await pilot.press(*"加议题会", "tab", "tab", *"张三", "ctrl+s")
        await pilot.pause()
        assert type(app.screen).__name__ == "MeetingScreen"
        mid = app.screen.meeting_id
        await pilot.press("a")  # the choice lists the items not on the agenda, ranked
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert [a.item_id for a in meetings.agenda(mid)] == [ranked[0].id, ranked[1].id]
        await pilot.press("down", "u")  # the new item first
        await pilot.pause()
        assert [a.item_id for a in meetings.agenda(mid)] == [ranked[1].id, ranked[0].id]
        await pilot.press("down", "x")
        await pilot.pause()
        assert [a.item_id for a in meetings.agenda(mid)] == [ranked[1].id]
        await pilot.press("x")  # the last item stays, and the screen says why
        await pilot.pause()
        assert len(meetings.agenda(mid)) == 1 and t("civic.err.agenda_empty") in notices(app)
        await pilot.press("enter", *"9", "ctrl+s")  # the vote: the agenda is now fixed
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        assert type(app.screen).__name__ == "MeetingScreen"
        assert t("civic.err.agenda_fixed") in notices(app)


async def test_a_refused_cadence_keeps_the_prompt_and_the_text(hubin: Paths) -> None:
    from app.tui import MulinApp

    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6", "s")
        await pilot.pause()
        assert isinstance(app.screen, SavingPrompt)
        await pilot.press("ctrl+u", *"7 14 400", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SavingPrompt)
        assert app.screen.query_one("#prompt-input").value == "7 14 400"
        assert shows(app, t("places.err.cadence"))
        days = " ".join(["9"] * len(care.KINDS))
        await pilot.press("ctrl+u", *days, "enter")
        await pilot.pause()
        assert not isinstance(app.screen, SavingPrompt)
        assert set(care.cadence().values()) == {9}
