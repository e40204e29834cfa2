"""A mediation taken from a case to its outcome by keys only: the party, mediator,
session and outcome forms (the paths no other test drove)."""

from __future__ import annotations

from app import store
from app.config import Paths
from app.services.places import households
from app.tui import MulinApp
from models.cases import Case, CaseEvent
from models.mediation import Mediation, MediationParty, MediationSession, Mediator
from screens.mediation.detail import MediationDetailScreen
from screens.mediation.forms import MedForm


def choose(n: int) -> list[str]:
    """In a form's list: open it, back to its first line ("choose"), down to option n."""
    return ["enter", "home", *["down"] * n, "enter"]


async def test_party_mediator_session_and_outcome_by_keys(hubin: Paths) -> None:
    community = store.context().community_id
    case = (Case.select().where((Case.community == community) & (Case.state == "in_progress"))
            .order_by(Case.number.desc()).first())
    day, serial = case.number.split("-")[1:]
    neighbour = households.find_in_community(community, "13-1-502")
    assert neighbour is not None
    head = households.head_of(neighbour.id)
    app = MulinApp()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("f5", "c")
        await pilot.pause()
        await pilot.press(*day, "minus", *serial)
        await pilot.pause()
        await pilot.press("enter", *choose(1), "ctrl+s")  # from the case; type: noise
        await pilot.pause()
        assert isinstance(app.screen, MediationDetailScreen)
        mediation = Mediation.get(Mediation.case == case.id)

        await pilot.press("n")  # on the record itself: a party (side B, A is the reporter)
        await pilot.pause()
        assert isinstance(app.screen, MedForm)
        await pilot.press("tab", *"13-1-502", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, MediationDetailScreen)
        party = MediationParty.get((MediationParty.mediation == mediation.id)
                                   & (MediationParty.side == "B"))
        assert (party.household_id, party.resident_id, party.name) == \
            (neighbour.id, head.id, head.name)

        await pilot.press("right_square_bracket", "right_square_bracket", "n")  # mediators
        await pilot.pause()
        await pilot.press(*"张律师", "tab", *choose(3), "ctrl+s")  # role: the lawyer
        await pilot.pause()
        mediator = Mediator.get(Mediator.mediation == mediation.id)
        assert (mediator.name, mediator.role) == ("张律师", "lawyer")

        await pilot.press("right_square_bracket", "n")  # sessions
        await pilot.pause()
        await pilot.press("tab", "tab", *"双方到场", "ctrl+s")
        await pilot.pause()
        session = MediationSession.get(MediationSession.mediation == mediation.id)
        assert (session.attendees, session.place) == ("双方到场", "mediation_room")

        await pilot.press("o")
        await pilot.pause()
        await pilot.press(*choose(3), "ctrl+s")  # failed, without a reason: refused
        await pilot.pause()
        assert isinstance(app.screen, MedForm)
        assert Mediation.get_by_id(mediation.id).status == "open"
        assert app.screen.focused is app.screen.query_one("#f-2")  # the reason, to fill in
        await pilot.press(*"各执己见", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, MediationDetailScreen)
    closed = Mediation.get_by_id(mediation.id)
    assert (closed.status, closed.outcome_reason) == ("failed", "各执己见")
    assert CaseEvent.select().where((CaseEvent.case == case.id)
                                    & (CaseEvent.kind == "mediation_closed")).exists()
    assert Case.get_by_id(case.id).state == "mediated"  # ended in mediation, says so
