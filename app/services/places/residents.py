"""Residents 居民: add, edit, move out, move within the community.

Every field is checked before the write transaction opens; a refused save raises
:class:`ResidentFormError` with the reason per field and writes nothing. Search keys
(pinyin, initials, phone tail) are recomputed on every write.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from peewee import JOIN, fn
from peewee import Case as SqlCase
from pydantic import BaseModel

from app import clock, store
from app.services.places import households
from app.services.search.keys import name_keys, phone_tail
from app.services.trust.masking import Scope, shown
from app.validators import (
    FieldError,
    normalise,
    validate_birth_date,
    validate_gender,
    validate_id_number,
    validate_mobile,
)
from models.places import Building, Household, Resident, Unit

RELATIONS = ("head", "spouse", "child", "parent", "other")
STATUSES = ("present", "moved_out", "deceased")


class ResidentForm(BaseModel):
    """A resident as typed in the form (strings), before validation."""

    name: str = ""
    gender: str = ""
    id_number: str = ""
    birth_date: str = ""
    phone: str = ""
    relation: str = "other"
    place: str = ""  # unit-room in the building, e.g. 3-402


class ResidentFormError(ValueError):
    """Field name -> catalog code of the reason. Nothing was written."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def find_household(building_id: str, place: str) -> str | None:
    """The id of the household at ``unit-room`` (or just ``room``) in a building."""
    household = households.find_in_building(building_id, place)
    return str(household.id) if household else None


def _field(errors: dict[str, str], name: str, check: Any) -> Any:
    try:
        return check()
    except FieldError as exc:
        errors[name] = exc.code
        return None


def validate(form: ResidentForm, building_id: str,
             resident_id: str | None = None) -> dict[str, Any]:
    """Clean values for the write, or :class:`ResidentFormError` with every reason."""
    errors: dict[str, str] = {}
    today = clock.today()
    name = normalise(form.name)
    if not name:
        errors["name"] = "required"
    elif len(name) > 30:
        errors["name"] = "too_long"
    id_number = _field(errors, "id_number", lambda: validate_id_number(form.id_number, today))
    ref = id_number or ""
    born = _field(errors, "birth_date", lambda: validate_birth_date(form.birth_date, ref, today))
    gender = _field(errors, "gender", lambda: validate_gender(form.gender, ref))
    phone = _field(errors, "phone", lambda: validate_mobile(form.phone))
    if form.relation not in RELATIONS:
        errors["relation"] = "choice"
    household = find_household(building_id, form.place)
    if household is None:
        errors["place"] = "household_unknown"
    if id_number and _duplicate_id(id_number, resident_id):
        errors["id_number"] = "id_duplicate"
    if errors:
        raise ResidentFormError(errors)
    full, initials = name_keys(name)
    return {"name": name, "gender": gender or "", "id_number": id_number or "",
            "birth_date": born, "phone": phone or "", "relation": form.relation,
            "household": household, "name_pinyin": full, "name_initials": initials,
            "phone_tail": phone_tail(phone or "")}


def _duplicate_id(id_number: str, resident_id: str | None) -> bool:
    query = Resident.select().where((Resident.id_number == id_number)
                                    & (Resident.deleted == False)  # noqa: E712
                                    & (Resident.status == "present"))
    if resident_id:
        query = query.where(Resident.id != resident_id)
    return bool(query.exists())


def add_resident(form: ResidentForm, building_id: str) -> str:
    """A new resident of the building; returns their id."""
    values = validate(form, building_id)
    with store.write() as tx:
        return tx.insert(Resident, status="present", **values)


def edit_resident(resident_id: str, form: ResidentForm, building_id: str) -> None:
    """Save an edited resident. A personal field the form showed masked and that comes
    back unchanged (or blank) keeps its stored value: a role that may not see the full ID
    number cannot overwrite or blank it by accident."""
    values = validate(_unmasked(resident_id, form), building_id, resident_id)
    with store.write() as tx:
        tx.update(Resident, resident_id, **values)


def move_out(resident_id: str) -> None:
    """The resident has left the community (kept in the books as ``moved_out``)."""
    with store.write() as tx:
        tx.update(Resident, resident_id, status="moved_out")


def move_within(resident_id: str, building_number: str, place: str, community_id: str) -> str:
    """Move to another flat of the community (``building_number`` + ``unit-room``)."""
    b = households.building_numbered(community_id, building_number)
    if b is None:
        raise ResidentFormError({"building": "building_unknown"})
    household = find_household(b.id, place)
    if household is None:
        raise ResidentFormError({"place": "household_unknown"})
    with store.write() as tx:
        tx.update(Resident, resident_id, household=household, status="present")
    return str(household)


@dataclass
class ResidentRow:
    id: str
    name: str
    gender: str
    age: int | None
    relation: str
    place: str
    id_masked: str
    phone_masked: str
    status: str
    care: str = ""


def _age(born: date | None) -> int | None:
    if born is None:
        return None
    today = clock.today()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _query(building_id: str) -> Any:
    return (Resident.select(Resident, Household.room.alias("room"), Unit.number.alias("unit_no"))
            .join(Household).join(Unit, JOIN.LEFT_OUTER)
            .where((Household.building == building_id) & (Resident.deleted == False)  # noqa: E712
                   & (Resident.status == "present")))


def count_residents(building_id: str) -> int:
    return int(_query(building_id).count())


def residents_page(building_id: str, offset: int, limit: int) -> list[ResidentRow]:
    """Present residents of a building by unit, room, head first; personal data as the
    operator's role may see it."""
    scope = _scope(building_id)
    head_first = SqlCase(None, [(Resident.relation == r, i) for i, r in enumerate(
        ("head", "spouse", "parent", "child"))], 9)
    rows = (_query(building_id)
            .order_by(Unit.number, fn.length(Household.room), Household.room, head_first,
                      Resident.name, Resident.id)
            .offset(offset).limit(limit).objects())
    return [ResidentRow(r.id, r.name, r.gender, _age(r.birth_date), r.relation,
                        f"{r.unit_no}-{r.room}" if r.unit_no else r.room,
                        shown("id_number", r.id_number, scope=scope),
                        shown("phone", r.phone, scope=scope), r.status) for r in rows]


def _scope(building_id: str) -> Scope:
    building = Building.get_or_none(Building.id == building_id)
    return Scope(grid_id=building.grid_id if building else "")


def _form_scope(r: Resident) -> Scope:
    hh = Household.get_by_id(r.household_id)
    return _scope(hh.building_id)


def _unmasked(resident_id: str, form: ResidentForm) -> ResidentForm:
    r = Resident.get_by_id(resident_id)
    scope = _form_scope(r)
    kept: dict[str, str] = {}
    for name in ("id_number", "phone"):
        stored, typed = getattr(r, name) or "", getattr(form, name).strip()
        masked = shown(name, stored, scope=scope)
        if masked != stored and typed in (masked, ""):
            kept[name] = stored
    return form.model_copy(update=kept)


def resident_form(resident_id: str) -> ResidentForm:
    """The stored resident as form values (for editing), personal data as the operator's
    role may see it (masked values come back unchanged on save and are kept)."""
    r = Resident.get_by_id(resident_id)
    hh = Household.get_by_id(r.household_id)
    unit = Unit.get_or_none(Unit.id == hh.unit_id)
    scope = _scope(hh.building_id)
    return ResidentForm(name=r.name, gender=r.gender,
                        id_number=shown("id_number", r.id_number, scope=scope),
                        birth_date=r.birth_date.isoformat() if r.birth_date else "",
                        phone=shown("phone", r.phone, scope=scope),
                        relation=r.relation or "other",
                        place=f"{unit.number}-{hh.room}" if unit else hh.room)


def household_place(household_id: str) -> str:
    hh = Household.get_by_id(household_id)
    unit = Unit.get_or_none(Unit.id == hh.unit_id)
    return f"{unit.number}-{hh.room}" if unit else str(hh.room)


def resident_household(resident_id: str) -> str:
    return str(Resident.get_by_id(resident_id).household_id)
