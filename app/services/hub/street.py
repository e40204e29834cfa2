"""The street office's work (街道): the queue of escalated cases and its actions.

Every action is an ordinary case event written through the cases service
(:mod:`app.services.cases.lifecycle`) in the case's own community, so it is stamped,
logged and reaches that community's stations on their next sync. The street's words map
onto the one state machine:

* 签收 ``sign``: the street takes the case on — ``responded`` if nobody had, then
  ``dispatched`` to the street office and ``signed``;
* 办理 ``start``: ``started``; 办结 ``resolve``: ``resolved`` with the result;
* 退回社区 ``return``: ``deescalated`` with the reason (back to the community's level);
* 下派 ``dispatch``: a case the street holds (e.g. a 12345 order it entered with
  :func:`new_order`) handed down to its community: ``deescalated`` with the instruction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from peewee import SQL

from app import clock, store
from app.i18n import t
from app.services.cases.machine import COLOUR_RANK, OPEN_STATES
from app.services.hub import database as hubdb
from models.cases import Case
from models.hub import HubCommunity

if TYPE_CHECKING:  # the write path (lifecycle) is imported when the street acts
    from app.services.cases import lifecycle

STREET_LEVELS = ("street", "district")
ACTIONS = ("sign", "start", "resolve", "return", "dispatch")
#: A case in the street queue: open and at the street's or the district's level (a
#: condition on the one case table of a query: the desk counts the queue by it too).
WAITING_SQL = (f"level IN ({', '.join(repr(x) for x in STREET_LEVELS)}) "
               f"AND state IN ({', '.join(repr(x) for x in sorted(OPEN_STATES))}) "
               "AND deleted = 0")


@dataclass(frozen=True)
class StreetCase:
    """One row of the street queue (plain values for screens and the CLI)."""

    community_id: str
    community: str
    case_id: str
    number: str
    colour: str
    state: str
    level: str
    received_at: datetime  # local time
    due: datetime | None  # local time, the next deadline that matters
    description: str

    @property
    def overdue(self) -> bool:
        return self.due is not None and self.due < clock.now()


def _row(community: HubCommunity, case: Case) -> StreetCase:
    due = clock.local(case.due_next) if case.due_next else None
    return StreetCase(community.id, community.name, case.id, case.number, case.colour,
                      case.state, case.level, clock.local(case.received_at), due,
                      case.description)


def queue(community: HubCommunity | None = None, activated: bool = False
          ) -> list[StreetCase]:
    """Open cases at the street or district level, most urgent first, every community
    (``activated``: ``community`` is already the active one)."""
    out: list[StreetCase] = []
    for c in [community] if community else hubdb.communities():
        if not activated:
            hubdb.activate(c)
        query = (Case.select().where(SQL(WAITING_SQL))
                 .order_by(Case.open_rank, Case.due_next, Case.number))
        out += [_row(c, case) for case in query]
    return sorted(out, key=lambda r: (COLOUR_RANK.get(r.colour, 9),
                                      r.due or datetime.max.replace(tzinfo=clock.LOCAL_TZ),
                                      r.number))


def find(number: str) -> tuple[HubCommunity, str]:
    """The community and case id of a case number (or id), searching every community."""
    for c in hubdb.communities():
        hubdb.activate(c)
        case = Case.get_or_none((Case.number == number) | (Case.id == number))
        if case is not None:
            return c, case.id
    raise hubdb.HubError(t("hub.err.no_case", number=number))


def _sign(case_id: str, note: str, actor: str) -> None:
    from app.services.cases import lifecycle

    if lifecycle.current(case_id).state == "received":
        lifecycle.act(case_id, "responded", actor=actor)
    if lifecycle.current(case_id).state in ("responded", "returned", "reopened"):
        lifecycle.act(case_id, "dispatched", note, actor, to=t("hub.street.office"),
                      to_kind="department")
    lifecycle.act(case_id, "signed", note, actor)


def _steps() -> dict[str, Callable[[str, str, str], object]]:
    from app.services.cases import lifecycle

    return {
        "sign": _sign,
        "start": lambda cid, note, actor: lifecycle.act(cid, "started", note, actor),
        "resolve": lambda cid, note, actor: lifecycle.act(cid, "resolved", note, actor),
        "return": lambda cid, note, actor: lifecycle.act(cid, "deescalated", note, actor),
        "dispatch": _dispatch,
    }


def _dispatch(case_id: str, note: str, actor: str) -> None:
    from app.services.cases import lifecycle

    case = Case.get_by_id(case_id)
    while case.level in STREET_LEVELS:
        lifecycle.act(case_id, "deescalated", note or t("hub.street.dispatched"), actor)
        case = Case.get_by_id(case_id)


def act(number: str, action: str, note: str = "", actor: str = "") -> str:
    """Do one street action on a case; returns its state after. Refusals write nothing."""
    from app.services.cases import lifecycle

    if action not in ACTIONS:
        raise hubdb.HubError(t("hub.err.action", action=action, choices=", ".join(ACTIONS)))
    _community, case_id = find(number)
    actor = actor or t("hub.street.office")
    store.context().operator = actor
    try:
        with store.write():  # one transaction: a sign that needs three events is all or none
            _steps()[action](case_id, note, actor)
    except lifecycle.CaseRefused as exc:
        raise hubdb.HubError(str(exc)) from exc
    return Case.get_by_id(case_id).state


def new_order(community: HubCommunity, description: str, category: str = "110",
              place: str = "", reporter_phone: str = "", actor: str = "") -> lifecycle.NewCase:
    """A work order entered at the street (e.g. from the 12345 hotline), held at street level."""
    from app.services.cases import lifecycle

    hubdb.activate(community)
    store.context().operator = actor or t("hub.street.office")
    values = {"channel": "referred", "category": category, "description": description,
              "place": place, "reporter_phone": reporter_phone, "level": "street"}
    try:
        return lifecycle.intake(values, community.id, actor or t("hub.street.office"))
    except lifecycle.CaseRefused as exc:
        raise hubdb.HubError(str(exc)) from exc
