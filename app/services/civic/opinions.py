"""Residents' opinions 居民意见: recorded from a door, a visit, the ledger or an import.

An opinion names its building (and grid) and optionally the household and resident; with
no household it is anonymous. Validation returns field → catalog code (``civic.err.*``);
a refused opinion writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel

from app import clock, store
from app.validators import normalise
from models.places import Building, Household, Resident
from models.visits import LivelihoodLink, Opinion

#: 入户走访, 网格议事, 网格群, 书记信箱, 微服务, 巡逻, 电话, 其他
CHANNELS = ("visit", "grid_meeting", "group_chat", "mailbox", "wechat", "patrol", "phone",
            "other")
#: 五有五必 (110 有求必应, 114 有问必答, 119 有难必帮, 120 有呼必救, 122 有堵必疏)
CATEGORIES = ("110", "114", "119", "120", "122")
MAX_TEXT = 500
#: Community setting: more categories (names) beside 五有五必, e.g. ["环境卫生", "停车交通"].
CATEGORY_SETTING = "civic.categories"


def categories() -> tuple[str, ...]:
    """五有五必 codes, then the community's own category names (a synced setting)."""
    from app.services.station import settings

    extra = settings.get_json(CATEGORY_SETTING)
    names = [str(x).strip() for x in extra if str(x).strip()] if isinstance(extra, list) else []
    return (*CATEGORIES, *dict.fromkeys(n for n in names if n not in CATEGORIES))


#: The most categories a community adds, and the longest name.
MAX_CATEGORIES, CATEGORY_CHARS = 30, 12


def set_categories(text: str) -> tuple[str, ...]:
    """Admin only: the community's own categories beside 五有五必, typed as names
    separated by 、 or commas (empty: none). A stamped, logged, synced setting; opinions
    keep the category they were given. Returns every category now offered."""
    from app.services.places.staffing import names
    from app.services.station import settings
    from app.services.trust import operators, permissions

    permissions.require("settings.manage", operators.current_role())
    wanted = [n for n in names(text) if n not in CATEGORIES
              and n not in {category_label(c) for c in CATEGORIES}]
    if any(len(n) > CATEGORY_CHARS for n in wanted):
        raise CivicError({"categories": "category_long"})
    if len(wanted) > MAX_CATEGORIES:
        raise CivicError({"categories": "too_many"})
    settings.put_json(CATEGORY_SETTING, wanted)
    return categories()


def own_categories() -> tuple[str, ...]:
    """The community's own categories (what :func:`set_categories` stored)."""
    return categories()[len(CATEGORIES):]


def category_label(code: str) -> str:
    """五有五必 by its catalog name; a setting's category is its own name."""
    from app import labels

    return labels.code("category", code)


class CivicError(ValueError):
    """Field -> catalog code (``civic.err.<code>``); nothing was written."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class OpinionForm(BaseModel):
    """What the opinion form (or an import row) sends."""

    community_id: str
    building_id: str | None = None
    household_id: str | None = None
    resident_id: str | None = None
    channel: str = "visit"
    category: str = "119"
    content: str = ""
    collected_on: str = ""  # YYYY-MM-DD; empty = today
    collected_by: str = ""
    visit_id: str | None = None


def parse_day(text: str) -> date:
    """``YYYY-MM-DD`` (also with / or .), empty = today; ValueError when unreadable."""
    value = normalise(text).replace("/", "-").replace(".", "-")
    if not value:
        return clock.today()
    return date.fromisoformat("-".join(p.zfill(2) for p in value.split("-")))


def _building(building_id: str | None) -> Building | None:
    if not building_id:
        return None
    return Building.get_or_none((Building.id == building_id)
                                & (Building.deleted == False))  # noqa: E712


def check(form: OpinionForm) -> tuple[dict[str, str], date | None]:
    errors: dict[str, str] = {}
    day: date | None = None
    try:
        day = parse_day(form.collected_on)
        if day > clock.today():
            errors["collected_on"] = "future"
    except ValueError:
        errors["collected_on"] = "date"
    text = normalise(form.content)
    if not text:
        errors["content"] = "required"
    elif len(text) > MAX_TEXT:
        errors["content"] = "too_long"
    if form.channel not in CHANNELS:
        errors["channel"] = "choice"
    if form.category not in categories():
        errors["category"] = "choice"
    building = _building(form.building_id)
    if building is None or building.community_id != form.community_id:
        errors["building"] = "building"
    elif form.household_id:
        hh = Household.get_or_none(Household.id == form.household_id)
        if hh is None or hh.building_id != building.id:
            errors["household"] = "household"
    if form.resident_id and form.household_id and Resident.get_or_none(
            (Resident.id == form.resident_id)
            & (Resident.household == form.household_id)) is None:
        errors["household"] = "household"
    return errors, day


def _values(form: OpinionForm, day: date) -> dict[str, Any]:
    building = Building.get_by_id(form.building_id)
    return {"community": form.community_id, "building": building.id, "grid": building.grid_id,
            "household": form.household_id or None,
            "resident": (form.resident_id or None) if form.household_id else None,
            "visit": form.visit_id or None, "source": form.channel,
            "category": form.category, "content": normalise(form.content),
            "collected_on": day, "collected_by": normalise(form.collected_by)}


def record(form: OpinionForm, operator: str | None = None) -> str:
    """Validate, then write one opinion; returns its id."""
    errors, day = check(form)
    if errors or day is None:
        raise CivicError(errors)
    with store.write(operator) as tx:
        return tx.insert(Opinion, **_values(form, day))


def record_many(forms: list[OpinionForm], operator: str | None = None) -> list[str]:
    """Write already-checked opinions in one transaction (imports)."""
    rows = []
    for form in forms:
        errors, day = check(form)
        if errors or day is None:
            raise CivicError(errors)
        rows.append(_values(form, day))
    with store.write(operator) as tx:
        return tx.insert_many(Opinion, rows)


def update(opinion_id: str, form: OpinionForm, operator: str | None = None) -> None:
    errors, day = check(form)
    if errors or day is None:
        raise CivicError(errors)
    with store.write(operator) as tx:
        tx.update(Opinion, opinion_id, **_values(form, day))


@dataclass
class OpinionView:
    """One opinion as lists and forms show it (no personal data beyond the place)."""

    id: str
    building_id: str | None
    building: str
    place: str
    channel: str
    category: str
    content: str
    collected_on: date
    collected_by: str
    household_id: str | None
    resident_id: str | None
    items: list[str]


def _place(household_id: str | None) -> str:
    if not household_id:
        return ""
    from app.services.places.residents import household_place

    return household_place(household_id)


def view(opinion_id: str) -> OpinionView:
    return views([opinion_id])[0]


def views(ids: list[str]) -> list[OpinionView]:
    rows = {o.id: o for o in Opinion.select().where(Opinion.id.in_(ids))}
    numbers = {b.id: b.number for b in Building.select(Building.id, Building.number).where(
        Building.id.in_([o.building_id for o in rows.values() if o.building_id]))}
    linked = linked_items([o for o in ids if o in rows])
    return [OpinionView(o.id, o.building_id, numbers.get(o.building_id or "", ""),
                        _place(o.household_id), o.source, o.category, o.content,
                        o.collected_on, o.collected_by, o.household_id, o.resident_id,
                        linked.get(o.id, []))
            for o in (rows[i] for i in ids if i in rows)]


def linked_items(opinion_ids: list[str]) -> dict[str, list[str]]:
    """Opinion id -> ids of the (live) items it belongs to."""
    out: dict[str, list[str]] = {}
    for link in LivelihoodLink.select().where(LivelihoodLink.opinion.in_(opinion_ids)
                                              & (LivelihoodLink.deleted == False)):  # noqa: E712
        out.setdefault(link.opinion_id, []).append(link.item_id)
    return out


def ungrouped(community_id: str, building_id: str | None = None) -> list[str]:
    """Ids of live opinions that belong to no item yet, newest first."""
    linked = (LivelihoodLink.select(LivelihoodLink.opinion)
              .where(LivelihoodLink.deleted == False))  # noqa: E712
    query = Opinion.select(Opinion.id).where((Opinion.community == community_id)
                                             & (Opinion.deleted == False)  # noqa: E712
                                             & Opinion.id.not_in(linked))
    if building_id:
        query = query.where(Opinion.building == building_id)
    return [o.id for o in query.order_by(Opinion.collected_on.desc(), Opinion.id)]
