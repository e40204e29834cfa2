"""One livelihood item as its screen shows it: the ranked row, its opinions (places only,
no names), its notes and the meetings that took it up; and the list's summary line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from app import clock
from app.services.civic import items, opinions
from models.civic import AgendaItem, Meeting
from models.visits import LivelihoodItem, LivelihoodLink, LivelihoodNote, Opinion


@dataclass
class NoteView:
    at: datetime  # local
    kind: str
    text: str
    author: str


@dataclass
class AgendaView:
    agenda_id: str
    meeting_id: str
    held_on: date
    title: str
    outcome: str
    votes: tuple[int, int, int]
    decision: str


@dataclass
class ItemDetail:
    row: items.ItemRow
    category: str
    description: str
    reason: str
    opinions: list[opinions.OpinionView]
    notes: list[NoteView]
    agenda: list[AgendaView]


def item_detail(item_id: str) -> ItemDetail:
    item = LivelihoodItem.get_by_id(item_id)
    row = next(r for r in items.ranked(item.community_id) if r.id == item_id)
    ids = [x.opinion_id for x in LivelihoodLink.select(LivelihoodLink.opinion).join(Opinion)
           .where((LivelihoodLink.item == item_id) & (LivelihoodLink.deleted == False)  # noqa: E712
                  & (Opinion.deleted == False))  # noqa: E712
           .order_by(Opinion.collected_on.desc(), Opinion.id)]
    notes = [NoteView(clock.local(n.at), n.kind, n.text, n.author)
             for n in LivelihoodNote.select().where(LivelihoodNote.item == item_id)
             .order_by(LivelihoodNote.at.desc(), LivelihoodNote.id)]
    return ItemDetail(row, item.category, item.description, item.reason,
                      opinions.views(ids), notes, agenda_of(item_id))


def agenda_of(item_id: str) -> list[AgendaView]:
    rows = (AgendaItem.select(AgendaItem, Meeting).join(Meeting)
            .where((AgendaItem.item == item_id) & (AgendaItem.deleted == False)  # noqa: E712
                   & (Meeting.deleted == False))  # noqa: E712
            .order_by(Meeting.held_on.desc()))
    return [AgendaView(a.id, a.meeting.id, a.meeting.held_on, a.meeting.title, a.outcome,
                       (a.votes_for, a.votes_against, a.votes_abstain), a.decision)
            for a in rows]


@dataclass
class Summary:
    items: int
    by_status: dict[str, int]
    opinions: int
    loose: int


def summary(community_id: str) -> Summary:
    rows = items.ranked(community_id)
    by_status = {s: sum(r.status == s for r in rows) for s in items.STATUSES}
    total = Opinion.select().where((Opinion.community == community_id)
                                   & (Opinion.deleted == False)).count()  # noqa: E712
    return Summary(len(rows), by_status, total, len(opinions.ungrouped(community_id)))
