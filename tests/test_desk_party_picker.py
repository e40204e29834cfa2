"""A mediation's party is found with the one resident lookup intake uses (issue 13):
typed name, pick, and the form fills the door and keeps the contact masked."""

from __future__ import annotations

from app import store
from app.config import Paths
from app.services.places import households
from app.services.search.residents import find_residents
from models.mediation import MediationParty
from models.places import Resident
from tests.tui_support import screen_text, squeezed


async def test_party_found_by_pinyin_initials_fills_door_and_contact(hubin: Paths) -> None:
    from pypinyin import lazy_pinyin

    from app.tui import MulinApp
    from screens.mediation.detail import MediationDetailScreen
    from screens.mediation.forms import MedForm
    from screens.widgets.resident_hits import ResidentHits

    community = store.context().community_id
    household = households.find_in_community(community, "13-1-502")
    assert household is not None
    head = households.head_of(household.id)
    initials = "".join(p[0] for p in lazy_pinyin(head.name))
    hits = find_residents(initials)
    assert head.id in [h.id for h in hits]
    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await pilot.pause(0.2)
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert isinstance(app.screen, MediationDetailScreen)
        mediation_id = app.screen.mediation_id
        before = MediationParty.select().where(MediationParty.mediation == mediation_id).count()
        await pilot.press("n")
        await pilot.pause(0.2)
        assert isinstance(app.screen, MedForm)
        await pilot.press("tab", "tab", *initials)
        await pilot.pause(0.2)
        listed = app.screen.query_one(ResidentHits)
        assert listed.display and [h.id for h in listed.found] == [h.id for h in hits]
        await pilot.press("enter", *(["down"] * [h.id for h in hits].index(head.id)))
        if len(hits) > 1:
            await pilot.press("enter")
        await pilot.pause(0.2)
        shown = squeezed(screen_text(app))  # the caret splits the field's text
        assert "13-1-502" in shown and head.name in shown
        masked = next(h.phone for h in hits if h.id == head.id)
        assert masked and masked in shown and (head.phone or "x") not in shown
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        assert isinstance(app.screen, MediationDetailScreen)
    assert MediationParty.select().where(
        MediationParty.mediation == mediation_id).count() == before + 1
    party = MediationParty.get((MediationParty.mediation == mediation_id)
                               & (MediationParty.resident == head.id))
    assert (party.household_id, party.name, party.contact) == \
        (household.id, head.name, Resident.get_by_id(head.id).phone)
