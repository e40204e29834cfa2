"""Deliberation meetings 议事会: who met when, at which level, on which items of the
民生清单, and what each item's vote decided.

A decision records the vote (for / against / abstain), the outcome (adopted 通过, rejected
否决, deferred 暂缓) and may adopt a residents' convention — an existing one by title, or a
new one created through :mod:`app.services.mediation.conventions` in the same transaction —
and may move the item to a new status. Until its first decision is recorded, a meeting's
agenda can still change (items added, removed, moved); after that it is the record of
what was decided. Refusals raise :class:`CivicError` and write nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel

from app import clock, store
from app.services.civic import items
from app.services.civic.opinions import CivicError, parse_day
from app.validators import normalise
from models.civic import AgendaItem, Meeting
from models.mediation import Convention
from models.places import Building
from models.visits import LivelihoodItem

LEVELS = ("building", "grid", "community", "class")  # 楼栋, 网格, 社区, 班长议事会
OUTCOMES = ("adopted", "rejected", "deferred")


class MeetingForm(BaseModel):
    held_on: str = ""
    level: str = "community"
    building: str = ""  # the building's number, for a 楼栋 meeting
    title: str = ""
    place: str = ""
    residents: str = ""
    chiefs: str = ""
    staff: str = ""
    minutes: str = ""


class DecisionForm(BaseModel):
    outcome: str
    votes_for: str = "0"
    votes_against: str = "0"
    votes_abstain: str = "0"
    decision: str = ""
    new_status: str = ""
    reason: str = ""
    convention: str = ""  # a title: an existing convention, else a new one is adopted
    convention_text: str = ""


def _check_meeting(community_id: str, form: MeetingForm,
                   item_ids: list[str]) -> tuple[dict[str, str], dict[str, Any]]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    try:
        values["held_on"] = parse_day(form.held_on)
        if values["held_on"] > clock.today():
            errors["held_on"] = "future"
    except ValueError:
        errors["held_on"] = "date"
    if form.level not in LEVELS:
        errors["level"] = "choice"
    building = None
    if form.level == "building":
        building = Building.get_or_none((Building.community == community_id)
                                        & (Building.number == normalise(form.building))
                                        & (Building.deleted == False))  # noqa: E712
        if building is None:
            errors["building"] = "building"
    values["building"] = building.id if building else None
    values["grid"] = building.grid_id if building else None
    if not item_ids or LivelihoodItem.select().where(
            LivelihoodItem.id.in_(item_ids) & (LivelihoodItem.community == community_id)
            & (LivelihoodItem.deleted == False)).count() != len(set(item_ids)):  # noqa: E712
        errors["agenda"] = "item_gone"
    if not (normalise(form.residents) or normalise(form.chiefs) or normalise(form.staff)):
        errors["residents"] = "attendees"
    return errors, values


def create(community_id: str, form: MeetingForm, item_ids: list[str],
           operator: str | None = None) -> str:
    """A meeting with ``item_ids`` on its agenda, in that order."""
    errors, values = _check_meeting(community_id, form, item_ids)
    if errors:
        raise CivicError(errors)
    title = normalise(form.title) or f"{values['held_on']:%Y-%m-%d}"
    with store.write(operator) as tx:
        meeting_id = tx.insert(Meeting, community=community_id, level=form.level, title=title,
                               place=normalise(form.place), residents=normalise(form.residents),
                               chiefs=normalise(form.chiefs), staff=normalise(form.staff),
                               minutes=form.minutes.strip(), **values)
        for pos, item_id in enumerate(dict.fromkeys(item_ids), start=1):
            tx.insert(AgendaItem, meeting=meeting_id, item=item_id, position=pos)
    return meeting_id


#: The longest minutes text kept (characters).
MAX_MINUTES = 4000


def update_minutes(meeting_id: str, minutes: str, operator: str | None = None) -> None:
    if len(minutes.strip()) > MAX_MINUTES:
        raise CivicError({"minutes": "too_long"})
    _live_meeting(meeting_id)
    with store.write(operator) as tx:
        tx.update(Meeting, meeting_id, minutes=minutes.strip())


# -- the agenda before the meeting decides ------------------------------------------------
def _live_meeting(meeting_id: str) -> Any:
    m = Meeting.get_or_none((Meeting.id == meeting_id) & (Meeting.deleted == False))  # noqa: E712
    if m is None:
        raise CivicError({"agenda": "meeting_gone"})
    return m


def _live_agenda(meeting_id: str) -> list[Any]:
    return list(AgendaItem.select().where((AgendaItem.meeting == meeting_id)
                                          & (AgendaItem.deleted == False))  # noqa: E712
                .order_by(AgendaItem.position, AgendaItem.id))


def agenda_open(meeting_id: str) -> bool:
    """May the agenda still change? Only while no item on it has a decision."""
    return not any(a.outcome for a in _live_agenda(meeting_id))


def _editable(meeting_id: str) -> list[Any]:
    _live_meeting(meeting_id)
    rows = _live_agenda(meeting_id)
    if any(a.outcome for a in rows):
        raise CivicError({"agenda": "agenda_fixed"})
    return rows


def addable(meeting_id: str) -> list[tuple[str, str]]:
    """(id, title) of the community's live items not on the agenda, in rank order."""
    m = _live_meeting(meeting_id)
    on = {a.item_id for a in _live_agenda(meeting_id)}
    return [(r.id, r.title) for r in items.ranked(m.community_id) if r.id not in on]


def add_to_agenda(meeting_id: str, item_id: str, operator: str | None = None) -> str:
    """Put a live item of the community at the end of an undecided agenda."""
    rows = _editable(meeting_id)
    if item_id not in dict(addable(meeting_id)):
        raise CivicError({"agenda": "item_gone"})
    with store.write(operator) as tx:
        return tx.insert(AgendaItem, meeting=meeting_id, item=item_id,
                         position=max((a.position for a in rows), default=0) + 1)


def remove_from_agenda(agenda_id: str, operator: str | None = None) -> None:
    """Take an item off an undecided agenda (a meeting keeps at least one)."""
    row = AgendaItem.get_or_none(AgendaItem.id == agenda_id)
    rows = _editable(row.meeting_id) if row and not row.deleted else []
    if not any(a.id == agenda_id for a in rows):
        raise CivicError({"agenda": "item_gone"})
    if len(rows) == 1:
        raise CivicError({"agenda": "agenda_empty"})
    with store.write(operator) as tx:
        tx.delete(AgendaItem, agenda_id)
        _renumber(tx, [a for a in rows if a.id != agenda_id])


def move_in_agenda(agenda_id: str, step: int, operator: str | None = None) -> None:
    """Move an item up (-1) or down (+1) an undecided agenda."""
    row = AgendaItem.get_or_none(AgendaItem.id == agenda_id)
    rows = _editable(row.meeting_id) if row and not row.deleted else []
    index = next((i for i, a in enumerate(rows) if a.id == agenda_id), None)
    if index is None:
        raise CivicError({"agenda": "item_gone"})
    target = max(0, min(len(rows) - 1, index + step))
    rows.insert(target, rows.pop(index))
    with store.write(operator) as tx:
        _renumber(tx, rows)


def _renumber(tx: Any, rows: list[Any]) -> None:
    for pos, a in enumerate(rows, start=1):
        if a.position != pos:  # only what moved is logged
            tx.update(AgendaItem, a.id, position=pos)


def _votes(form: DecisionForm) -> tuple[dict[str, str], tuple[int, int, int]]:
    errors: dict[str, str] = {}
    counts: list[int] = []
    for name in ("votes_for", "votes_against", "votes_abstain"):
        text = normalise(getattr(form, name)) or "0"
        if not text.isdigit():
            errors[name] = "votes"
            counts.append(0)
        else:
            counts.append(int(text))
    return errors, (counts[0], counts[1], counts[2])


def _check_decision(form: DecisionForm, item: Any) -> tuple[dict[str, str], tuple[int, int, int]]:
    errors, votes = _votes(form)
    if form.outcome not in OUTCOMES:
        errors["outcome"] = "choice"
    elif form.outcome != "deferred" and not errors and sum(votes) == 0:
        errors["votes_for"] = "no_votes"
    if form.new_status and form.new_status not in items.STATUSES:
        errors["new_status"] = "choice"
    if form.new_status == "rejected" and not normalise(form.reason):
        errors["reason"] = "reason_needed"
    if normalise(form.convention) and form.outcome != "adopted":
        errors["convention"] = "convention_needs_adoption"
    return errors, votes


def decide(agenda_id: str, form: DecisionForm, operator: str | None = None) -> None:
    """Record the vote and decision on one agenda item (again, to correct it)."""
    agenda = AgendaItem.get_or_none((AgendaItem.id == agenda_id)
                                    & (AgendaItem.deleted == False))  # noqa: E712
    if agenda is None:
        raise CivicError({"agenda": "item_gone"})
    item = LivelihoodItem.get_by_id(agenda.item_id)
    errors, votes = _check_decision(form, item)
    if errors:
        raise CivicError(errors)
    meeting = Meeting.get_by_id(agenda.meeting_id)
    with store.write(operator) as tx:
        convention = _adopt(meeting, form, operator) if normalise(form.convention) else None
        tx.update(AgendaItem, agenda_id, outcome=form.outcome, votes_for=votes[0],
                  votes_against=votes[1], votes_abstain=votes[2],
                  decision=normalise(form.decision), new_status=form.new_status,
                  convention=convention)
        if form.new_status and form.new_status != item.status:
            items.set_status(item.id, form.new_status, form.reason, operator)


def _adopt(meeting: Any, form: DecisionForm, operator: str | None) -> str:
    """The convention named in the decision: an existing one, else a new one adopted now."""
    from app.services.mediation import conventions  # the mediation area owns conventions

    title = normalise(form.convention)
    found = Convention.get_or_none((Convention.community == meeting.community_id)
                                   & (Convention.title == title)
                                   & (Convention.deleted == False))  # noqa: E712
    if found is not None:
        return str(found.id)
    draft = conventions.ConventionDraft(
        title=title, scope="community", adopted_on=meeting.held_on, meeting=meeting.title,
        text=normalise(form.convention_text) or normalise(form.decision))
    try:
        return conventions.create(meeting.community_id, draft, operator)
    except conventions.MediationError as exc:
        raise CivicError({"convention": "convention"}) from exc


# views ------------------------------------------------------------------------------
@dataclass
class MeetingRow:
    id: str
    held_on: date
    level: str
    title: str
    agenda: int
    decided: int


@dataclass
class AgendaRow:
    id: str
    position: int
    item_id: str
    title: str
    outcome: str
    votes: tuple[int, int, int]
    decision: str
    new_status: str
    convention: str


def meetings(community_id: str) -> list[MeetingRow]:
    rows = list(Meeting.select().where((Meeting.community == community_id)
                                       & (Meeting.deleted == False))  # noqa: E712
                .order_by(Meeting.held_on.desc(), Meeting.id))
    counts: dict[str, tuple[int, int]] = {}
    for a in AgendaItem.select(AgendaItem.meeting, AgendaItem.outcome).where(
            AgendaItem.meeting.in_([m.id for m in rows]) & (AgendaItem.deleted == False)):  # noqa: E712
        n, done = counts.get(a.meeting_id, (0, 0))
        counts[a.meeting_id] = (n + 1, done + bool(a.outcome))
    return [MeetingRow(m.id, m.held_on, m.level, m.title, *counts.get(m.id, (0, 0)))
            for m in rows]


def agenda(meeting_id: str) -> list[AgendaRow]:
    rows = list(AgendaItem.select()
                .where((AgendaItem.meeting == meeting_id) & (AgendaItem.deleted == False))  # noqa: E712
                .order_by(AgendaItem.position, AgendaItem.id))
    names = items.title_map([a.item_id for a in rows])
    titles = {c.id: c.title for c in Convention.select(Convention.id, Convention.title).where(
        Convention.id.in_([a.convention_id for a in rows if a.convention_id]))}
    return [AgendaRow(a.id, a.position, a.item_id, names.get(a.item_id, ""), a.outcome,
                      (a.votes_for, a.votes_against, a.votes_abstain), a.decision,
                      a.new_status, titles.get(a.convention_id or "", "")) for a in rows]


def meeting(meeting_id: str) -> Any:
    return Meeting.get_by_id(meeting_id)
