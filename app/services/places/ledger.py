"""One building, one ledger 一楼栋一账本: what the ledger screen shows, section by section.

Sections: households, residents, key-care, visits, opinions, the livelihood list 民生清单
(ranked community-wide by :mod:`app.services.civic.items`), cases and mediations touching
the building.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from peewee import JOIN

from app import clock
from app.services.civic import items as civic_items
from app.services.places import care, residents, visits
from app.services.places import views as places
from models.cases import Case
from models.mediation import Mediation, MediationParty
from models.people import Person, Role
from models.places import Building, Household
from models.visits import LivelihoodItem, LivelihoodLink, Opinion

SECTIONS = ("households", "residents", "care", "visits", "opinions", "livelihood", "cases")


@dataclass
class LedgerHeader:
    """Everything the ledger header line shows."""

    base: places.BuildingHeader
    chief: str
    party_households: int


def header(building_id: str) -> LedgerHeader:
    base = places.building_header(building_id)
    chief = (Person.select(Person.name).join(Role)
             .where((Role.building == building_id) & (Role.kind == "building_chief")
                    & (Role.deleted == False)).first())  # noqa: E712
    party = Household.select().where((Household.building == building_id)
                                     & (Household.party_member == True)  # noqa: E712
                                     & (Household.deleted == False)).count()  # noqa: E712
    return LedgerHeader(base, chief.name if chief else "", party)


# opinions ---------------------------------------------------------------
@dataclass
class OpinionRow:
    id: str
    collected_on: date
    source: str
    place: str
    content: str
    items: str


def _opinions(building_id: str) -> Any:
    return Opinion.select().where((Opinion.building == building_id)
                                  & (Opinion.deleted == False))  # noqa: E712


def count_opinions(building_id: str) -> int:
    return int(_opinions(building_id).count())


def opinions_page(building_id: str, offset: int, limit: int) -> list[OpinionRow]:
    rows = list(_opinions(building_id).order_by(Opinion.collected_on.desc(), Opinion.id)
                .offset(offset).limit(limit))
    answered: dict[str, list[str]] = {}
    links = (LivelihoodLink.select(LivelihoodLink.opinion, LivelihoodItem.title)
             .join(LivelihoodItem)
             .where(LivelihoodLink.opinion.in_([o.id for o in rows])
                    & (LivelihoodLink.deleted == False)).tuples())  # noqa: E712
    for opinion_id, title in cast(Any, links):
        answered.setdefault(opinion_id, []).append(title)
    return [OpinionRow(o.id, o.collected_on, o.source,
                       residents.household_place(o.household_id) if o.household_id else "",
                       o.content, "、".join(answered.get(o.id, []))) for o in rows]


# livelihood list ---------------------------------------------------------
@dataclass
class LivelihoodRow:
    id: str
    rank: int
    title: str
    urgency: int
    importance: int
    status: str
    opinions: int
    whole_community: bool
    households: int = 0


def _item_ids(building_id: str) -> set[str]:
    """Items for this building, or answering an opinion collected in it."""
    return civic_items.building_item_ids(building_id)


def livelihood_rows(building_id: str) -> list[LivelihoodRow]:
    """The building's items of the livelihood list, in the community's computed rank order
    (urgency × importance, then households: :mod:`app.services.civic.items`)."""
    community = Building.get_by_id(building_id).community_id
    return [LivelihoodRow(r.id, r.rank, r.title, r.urgency, r.importance, r.status,
                          r.opinions, r.building_id is None, r.households)
            for r in civic_items.ranked(community, building_id=building_id)]


# cases and mediations ----------------------------------------------------
@dataclass
class MatterRow:
    """A case or a mediation touching the building."""

    id: str
    kind: str  # case, mediation
    number: str
    when: datetime | date
    colour: str
    state: str
    title: str


def _mediation_ids(building_id: str) -> set[str]:
    by_party = (MediationParty.select(MediationParty.mediation).join(
        Household, JOIN.INNER, on=(MediationParty.household == Household.id))
        .where(Household.building == building_id))
    direct = Mediation.select(Mediation.id).where(Mediation.building == building_id)
    return {r.mediation_id for r in by_party} | {r.id for r in direct}


def matters(building_id: str) -> list[MatterRow]:
    """Cases (newest first) and mediations touching the building, open ones first."""
    out: list[MatterRow] = []
    for c in (Case.select().where((Case.building == building_id) & (Case.deleted == False))  # noqa: E712
              .order_by(Case.received_at.desc())):
        out.append(MatterRow(c.id, "case", c.number, clock.local(c.received_at), c.colour,
                             c.state, c.description))
    for m in Mediation.select().where(Mediation.id.in_(list(_mediation_ids(building_id)))
                                      & (Mediation.deleted == False)):  # noqa: E712
        out.append(MatterRow(m.id, "mediation", m.number, m.opened_on, "", m.status, m.title))
    open_first = {"open": 0, **{s: 0 for s in places.OPEN_STATES}}
    return sorted(out, key=lambda r: (open_first.get(r.state, 1), -_ordinal(r.when)))


def _ordinal(when: datetime | date) -> int:
    return when.toordinal() if not isinstance(when, datetime) else when.date().toordinal()


def section_counts(building_id: str, community_id: str) -> dict[str, int]:
    """How many rows each section holds (shown next to its name)."""
    return {
        "households": places.count_households(building_id),
        "residents": residents.count_residents(building_id),
        "care": len(care.care_rows(community_id, building_id=building_id)),
        "visits": visits.count_visits(building_id),
        "opinions": count_opinions(building_id),
        "livelihood": len(_item_ids(building_id)),
        "cases": len(matters(building_id)),
    }


def building_of_household(household_id: str) -> str:
    return str(Household.get_by_id(household_id).building_id)


def building_exists(building_id: str | None) -> bool:
    return bool(building_id) and Building.get_or_none(Building.id == building_id) is not None
