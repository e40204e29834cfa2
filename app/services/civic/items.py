"""The livelihood list 民生清单: items distilled from opinions, ranked, classed and worked.

Rank is computed, never typed: live items (待议, 办理中) first by urgency × importance,
then by the number of distinct households behind them, then by opinions; closed items
(已办结, 不予采纳) follow. Classes: 小事即办 ``small`` becomes a linked case at once (through
the cases service, same transaction), 急事共商 ``urgent`` records consultations, 大事共议
``major`` goes to a meeting. Every refusal raises :class:`CivicError` and writes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from pydantic import BaseModel

from app import clock, store
from app.services.civic.opinions import CATEGORIES, CivicError, categories, parse_day
from app.validators import normalise
from models.cases import Case
from models.places import Building, Resident
from models.visits import LivelihoodItem, LivelihoodLink, LivelihoodNote, Opinion

KINDS = ("small", "urgent", "major")  # 小事即办, 急事共商, 大事共议
STATUSES = ("pending", "in_progress", "done", "rejected")  # 待议, 办理中, 已办结, 不予采纳
OPEN = ("pending", "in_progress")
LEVELS = (1, 2, 3)
#: opinion channel -> the cases service's intake channel
INTAKE_CHANNEL = {"visit": "visit", "grid_meeting": "class_meeting", "group_chat": "group_chat",
                  "mailbox": "mailbox", "wechat": "wechat", "patrol": "patrol",
                  "phone": "phone", "other": "walk_in"}


class ItemForm(BaseModel):
    """Title, levels, class, owner and due date as typed."""

    title: str
    urgency: int = 2
    importance: int = 2
    kind: str = "major"
    category: str = "119"
    owner: str = ""
    due_on: str = ""  # YYYY-MM-DD or empty
    description: str | None = None  # None: left as it is


@dataclass
class ItemRow:
    """One line of the ranked list."""

    id: str
    rank: int
    title: str
    urgency: int
    importance: int
    households: int
    opinions: int
    kind: str
    status: str
    building: str
    building_id: str | None
    owner: str
    due_on: date | None
    case_number: str

    @property
    def score(self) -> int:
        return self.urgency * self.importance


def current_form(item_id: str) -> ItemForm:
    """The item as its form shows it (for editing)."""
    i = _item(item_id)
    return ItemForm(title=i.title, urgency=i.urgency, importance=i.importance, kind=i.kind,
                    category=i.category or "119", owner=i.owner,
                    due_on=i.due_on.isoformat() if i.due_on else "", description=i.description)


def title_map(item_ids: list[str]) -> dict[str, str]:
    return {i.id: i.title for i in LivelihoodItem.select(LivelihoodItem.id, LivelihoodItem.title)
            .where(LivelihoodItem.id.in_(item_ids))}


def titles(item_ids: list[str]) -> list[str]:
    """Titles of items, in the order asked."""
    found = title_map(item_ids)
    return [found[i] for i in item_ids if i in found]


def _check_form(form: ItemForm) -> tuple[dict[str, str], date | None]:
    errors: dict[str, str] = {}
    due: date | None = None
    title = normalise(form.title)
    if not title:
        errors["title"] = "required"
    elif len(title) > 60:
        errors["title"] = "too_long"
    if form.urgency not in LEVELS:
        errors["urgency"] = "level"
    if form.importance not in LEVELS:
        errors["importance"] = "level"
    if form.kind not in KINDS:
        errors["kind"] = "choice"
    if form.category not in categories():
        errors["category"] = "choice"
    if normalise(form.due_on):
        try:
            due = parse_day(form.due_on)
        except ValueError:
            errors["due_on"] = "date"
    return errors, due


def _form_values(form: ItemForm, due: date | None) -> dict[str, Any]:
    values = {"title": normalise(form.title), "urgency": form.urgency,
              "importance": form.importance, "category": form.category,
              "owner": normalise(form.owner), "due_on": due}
    if form.description is not None:
        values["description"] = form.description.strip()
    return values


def _live_opinions(opinion_ids: list[str]) -> list[Any]:
    return list(Opinion.select().where(Opinion.id.in_(opinion_ids)
                                       & (Opinion.deleted == False)))  # noqa: E712


def _scope(opinions: list[Any]) -> dict[str, Any]:
    """One building (and grid) when every opinion shares it, else community-wide."""
    buildings = {o.building_id for o in opinions}
    grids = {o.grid_id for o in opinions}
    return {"building": buildings.pop() if len(buildings) == 1 else None,
            "grid": grids.pop() if len(grids) == 1 else None}


def create(community_id: str, form: ItemForm, opinion_ids: list[str] | None = None,
           building_id: str | None = None, operator: str | None = None) -> str:
    """A new item holding ``opinion_ids`` (may be none); a small matter opens its case."""
    errors, due = _check_form(form)
    opinions = _live_opinions(opinion_ids or [])
    if len(opinions) != len(set(opinion_ids or [])):
        errors["opinions"] = "opinion_gone"
    if any(o.community_id != community_id for o in opinions):
        errors["opinions"] = "opinion_gone"
    if errors:
        raise CivicError(errors)
    scope = _scope(opinions) if opinions else {"building": building_id, "grid": _grid_of(
        building_id)}
    with store.write(operator) as tx:
        item_id = tx.insert(LivelihoodItem, community=community_id, kind="major",
                            status="pending", created_on=clock.today(), **scope,
                            **_form_values(form, due))
        for o in opinions:
            tx.insert(LivelihoodLink, item=item_id, opinion=o.id)
        if form.kind != "major":
            set_kind(item_id, form.kind, operator)
    return item_id


def _grid_of(building_id: str | None) -> str | None:
    b = Building.get_or_none(Building.id == building_id) if building_id else None
    return b.grid_id if b else None


def update(item_id: str, form: ItemForm, operator: str | None = None) -> None:
    """Change title, levels, category, owner, due date (the class has its own action)."""
    errors, due = _check_form(form)
    if errors:
        raise CivicError(errors)
    with store.write(operator) as tx:
        tx.update(LivelihoodItem, item_id, **_form_values(form, due))
        if form.kind != LivelihoodItem.get_by_id(item_id).kind:
            set_kind(item_id, form.kind, operator)


def add_opinions(item_id: str, opinion_ids: list[str], operator: str | None = None) -> int:
    """Link more opinions to an item; returns how many were new. The scope widens when an
    opinion comes from another building."""
    item = _item(item_id)
    opinions = _live_opinions(opinion_ids)
    if not opinions or any(o.community_id != item.community_id for o in opinions):
        raise CivicError({"opinions": "opinion_gone"})
    held = {link.opinion_id for link in _links(item_id)}
    new = [o for o in opinions if o.id not in held]
    with store.write(operator) as tx:
        for o in new:
            tx.insert(LivelihoodLink, item=item_id, opinion=o.id)
        everyone = _live_opinions([*held, *(o.id for o in new)])
        scope = _scope(everyone)
        if item.building_id and scope["building"] != item.building_id:
            tx.update(LivelihoodItem, item_id, **scope)
    return len(new)


def remove_opinion(item_id: str, opinion_id: str, operator: str | None = None) -> None:
    link = next((x for x in _links(item_id) if x.opinion_id == opinion_id), None)
    if link is None:
        raise CivicError({"opinions": "opinion_gone"})
    with store.write(operator) as tx:
        tx.delete(LivelihoodLink, link.id)


def merge(source_id: str, target_id: str, operator: str | None = None) -> int:
    """Merge one item into another: its opinions join the target (once each), its notes
    stay with it, and the source is deleted (a tombstone). Returns opinions moved."""
    if source_id == target_id:
        raise CivicError({"item": "same_item"})
    source, target = _item(source_id), _item(target_id)
    if source.community_id != target.community_id:
        raise CivicError({"item": "item_gone"})
    moving = [x.opinion_id for x in _links(source_id)]
    with store.write(operator) as tx:
        for link in _links(source_id):
            tx.delete(LivelihoodLink, link.id)
        moved = add_opinions(target_id, moving, operator) if moving else 0
        _note(tx, target_id, "progress", f"⇐ {source.title}", operator)
        tx.delete(LivelihoodItem, source_id)
    return moved


def _links(item_id: str) -> list[Any]:
    return list(LivelihoodLink.select().where((LivelihoodLink.item == item_id)
                                              & (LivelihoodLink.deleted == False)))  # noqa: E712


def _item(item_id: str) -> Any:
    item = LivelihoodItem.get_or_none((LivelihoodItem.id == item_id)
                                      & (LivelihoodItem.deleted == False))  # noqa: E712
    if item is None:
        raise CivicError({"item": "item_gone"})
    return item


# class and status -------------------------------------------------------------------
def set_kind(item_id: str, kind: str, operator: str | None = None) -> str | None:
    """Class an item. 小事即办 opens its case at once (unless it has one); returns the case
    number when one was opened."""
    item = _item(item_id)
    if kind not in KINDS:
        raise CivicError({"kind": "choice"})
    if item.status in ("done", "rejected") and kind == "small" and not item.case:
        raise CivicError({"kind": "closed"})
    number = None
    with store.write(operator) as tx:
        tx.update(LivelihoodItem, item_id, kind=kind)
        if kind == "small" and not item.case:
            case_id, number = _open_case(item)
            tx.update(LivelihoodItem, item_id, case=case_id, status="in_progress")
            _note(tx, item_id, "status", f"in_progress {number}", operator)
    return number


def _open_case(item: Any) -> tuple[str, str]:
    from app.services.cases import lifecycle as cases  # the cases area owns intake

    opinions = _live_opinions([x.opinion_id for x in _links(item.id)])
    first = min(opinions, key=lambda o: (o.collected_on, o.id)) if opinions else None
    building = Building.get_or_none(Building.id == item.building_id) if item.building_id \
        else None
    values: dict[str, Any] = {
        "channel": INTAKE_CHANNEL.get(first.source, "walk_in") if first else "walk_in",
        "category": item.category if item.category in CATEGORIES else "119",
        "description": item.title + (f"：{item.description}" if item.description else ""),
        "colour": "green", "level": "grid", "place": building.number if building else "",
        "reporter_id": _reporter(first),
        "grid_id": item.grid_id}
    try:
        new = cases.intake(values, item.community_id, actor=item.owner)
    except cases.CaseRefused as exc:
        raise CivicError({"kind": "case_refused"}) from exc
    return str(new.id), str(new.number)


def _reporter(opinion: Any) -> str | None:
    """Who raised it: the opinion's resident, else someone of its household (anonymous:
    nobody — the case then carries the grid and the building's number only)."""
    if opinion is None or not opinion.household_id:
        return None
    if opinion.resident_id:
        return str(opinion.resident_id)
    people = list(Resident.select(Resident.id, Resident.relation).where(
        (Resident.household == opinion.household_id) & (Resident.deleted == False)  # noqa: E712
        & (Resident.status == "present")).order_by(Resident.id))
    head = next((r for r in people if r.relation == "head"), people[0] if people else None)
    return str(head.id) if head else None


def set_status(item_id: str, status: str, reason: str = "", operator: str | None = None) -> None:
    """Move an item to a status; 不予采纳 needs a reason."""
    item = _item(item_id)
    if status not in STATUSES:
        raise CivicError({"status": "choice"})
    if status == item.status:
        raise CivicError({"status": "same"})
    if status == "rejected" and not normalise(reason):
        raise CivicError({"reason": "reason_needed"})
    with store.write(operator) as tx:
        tx.update(LivelihoodItem, item_id, status=status,
                  reason=normalise(reason) if status == "rejected" else "")
        _note(tx, item_id, "status", f"{status} {normalise(reason)}".strip(), operator)


def add_note(item_id: str, text: str, kind: str = "progress",
             operator: str | None = None) -> str:
    """A progress note, or a consultation 急事共商 (which starts a pending item)."""
    item = _item(item_id)
    if not normalise(text):
        raise CivicError({"note": "required"})
    if kind not in ("progress", "consultation"):
        raise CivicError({"note": "choice"})
    with store.write(operator) as tx:
        note_id = _note(tx, item_id, kind, normalise(text), operator)
        if kind == "consultation" and item.status == "pending":
            tx.update(LivelihoodItem, item_id, status="in_progress")
    return note_id


def _note(tx: store.Tx, item_id: str, kind: str, text: str, author: str | None) -> str:
    return tx.append(LivelihoodNote, item=item_id, at=clock.now(), kind=kind, text=text,
                     author=author or store.context().operator or "")


# the ranked list --------------------------------------------------------------------
def _counts(item_ids: list[str]) -> dict[str, tuple[int, int]]:
    """Item id -> (distinct households, opinions) over live links and opinions."""
    homes: dict[str, set[str]] = defaultdict(set)
    opinions: dict[str, int] = defaultdict(int)
    rows = (LivelihoodLink.select(LivelihoodLink.item, Opinion.household)
            .join(Opinion)
            .where(LivelihoodLink.item.in_(item_ids) & (LivelihoodLink.deleted == False)  # noqa: E712
                   & (Opinion.deleted == False)).tuples())  # noqa: E712
    for item_id, household in cast(Any, rows):
        opinions[item_id] += 1
        if household:
            homes[item_id].add(household)
    return {i: (len(homes[i]), opinions[i]) for i in item_ids}


def sort_key(row: ItemRow) -> tuple[Any, ...]:
    closed = row.status not in OPEN
    return (closed, -row.score, -row.households, -row.opinions, row.title, row.id)


def ranked(community_id: str, building_id: str | None = None,
           status: str | None = None) -> list[ItemRow]:
    """The community's list in rank order; ``building_id`` keeps the building's items and
    those answering an opinion collected there (ranks stay the community's)."""
    items = list(LivelihoodItem.select().where(
        (LivelihoodItem.community == community_id) & (LivelihoodItem.deleted == False)))  # noqa: E712
    counts = _counts([i.id for i in items])
    numbers = {b.id: b.number for b in Building.select(Building.id, Building.number).where(
        Building.community == community_id)}
    cases = {c.id: c.number for c in Case.select(Case.id, Case.number).where(
        Case.id.in_([i.case for i in items if i.case]))}
    rows = [ItemRow(i.id, 0, i.title, i.urgency, i.importance, *counts[i.id], i.kind,
                    i.status, numbers.get(i.building_id or "", ""), i.building_id, i.owner,
                    i.due_on, cases.get(i.case or "", "")) for i in items]
    rows.sort(key=sort_key)
    for n, row in enumerate(rows, start=1):
        row.rank = n
    if building_id:
        keep = building_item_ids(building_id)
        rows = [r for r in rows if r.id in keep]
    if status:
        rows = [r for r in rows if r.status == status]
    return rows


def building_item_ids(building_id: str) -> set[str]:
    """Items of this building, or answering an opinion collected in it."""
    direct = LivelihoodItem.select(LivelihoodItem.id).where(
        (LivelihoodItem.building == building_id) & (LivelihoodItem.deleted == False))  # noqa: E712
    linked = (LivelihoodLink.select(LivelihoodLink.item).join(Opinion)
              .where((Opinion.building == building_id)
                     & (LivelihoodLink.deleted == False)))  # noqa: E712
    return {r.id for r in direct} | {r.item_id for r in linked}


def rank_of(item_id: str) -> int:
    item = _item(item_id)
    return next(r.rank for r in ranked(item.community_id) if r.id == item_id)
