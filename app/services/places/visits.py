"""Recording visits 入户走访 in a few keystrokes, and turning a follow-up into a case.

A visit is an append-only fact. A follow-up that needs the community's help becomes a
case in the same transaction: state ``received`` with a ``received`` event, numbered
``<prefix>-<yyyymmdd>-<nnn>`` like every case of this station.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from peewee import JOIN
from pydantic import BaseModel, Field

from app import clock, store
from app.services.cases import lifecycle as cases
from app.services.places import households
from app.services.trust import operators
from app.validators import FieldError, normalise
from models.people import Person, Role
from models.places import Building, Household, Resident, Unit
from models.visits import Visit, VisitRound

CASE_COLOURS = cases.COLOURS
CASE_CATEGORIES = cases.CATEGORIES
KINDS = ("routine", "care", "holiday", "follow_up", "mediation")


class VisitForm(BaseModel):
    """What the visit form sends: plain strings as typed, ids chosen from lists."""

    household_id: str
    resident_id: str | None = None
    visitor_name: str = ""
    visited_at: str = ""  # local "YYYY-MM-DD HH:MM"; empty = now
    kind: str = "routine"
    findings: str = ""
    services: str = ""
    follow_up: bool = False
    make_case: bool = False
    case_colour: str = "green"
    case_category: str = "119"
    round_id: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)


class VisitFormError(ValueError):
    """Field -> catalog code of the reason; nothing was written."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class VisitResult:
    visit_id: str
    case_id: str | None = None
    case_number: str | None = None


def parse_when(text: str) -> datetime:
    """Local ``YYYY-MM-DD HH:MM`` (or ``HH:MM`` today) as an aware datetime; empty = now."""
    value = normalise(text)
    if not value:
        return clock.now()
    if len(value) <= 5 and ":" in value:
        value = f"{clock.today().isoformat()} {value}"
    try:
        at = datetime.fromisoformat(value.replace("/", "-"))
    except ValueError as exc:
        raise FieldError("when_format") from exc
    return at.replace(tzinfo=clock.LOCAL_TZ) if at.tzinfo is None else at


def _check(form: VisitForm) -> tuple[dict[str, str], datetime | None]:
    errors: dict[str, str] = {}
    at: datetime | None = None
    try:
        at = parse_when(form.visited_at)
        if at > clock.now() + timedelta(minutes=5):
            errors["visited_at"] = "when_future"
    except FieldError as exc:
        errors["visited_at"] = exc.code
    if not normalise(form.visitor_name):
        errors["visitor_name"] = "required"
    if Household.get_or_none(Household.id == form.household_id) is None:
        errors["household"] = "household_unknown"
    if (form.follow_up or form.make_case) and not normalise(form.findings):
        errors["findings"] = "findings_needed"
    if form.make_case and form.case_colour not in CASE_COLOURS:
        errors["case_colour"] = "choice"
    if form.make_case and form.case_category not in CASE_CATEGORIES:
        errors["case_category"] = "choice"
    if form.kind not in KINDS:
        errors["kind"] = "choice"
    return errors, at


def record_visit(form: VisitForm) -> VisitResult:
    """Validate, then write the visit (and the case it raises) in one transaction."""
    errors, at = _check(form)
    if errors or at is None:
        raise VisitFormError(errors)
    with store.write() as tx:
        visit_id = tx.append(
            Visit, household=form.household_id, resident=form.resident_id or None,
            visitor=_visitor_id(form.visitor_name), visitor_name=normalise(form.visitor_name),
            visited_at=at, kind=form.kind, findings=form.findings.strip(),
            services=form.services.strip(), follow_up=form.follow_up or form.make_case,
            round=form.round_id or None)
        result = VisitResult(visit_id)
        if form.make_case:
            result.case_id, result.case_number = _raise_case(form)
    return result


def _raise_case(form: VisitForm) -> tuple[str, str]:
    """Through the cases service's intake, in the visit's transaction; the resident
    visited (else the head of the household) reports it."""
    hh = Household.get_by_id(form.household_id)
    head = households.head_of(hh.id)
    reporter = form.resident_id or (head.id if head else None)
    new = cases.intake({"channel": "visit", "category": form.case_category,
                        "reporter_id": reporter, "description": form.findings.strip(),
                        "colour": form.case_colour, "level": "grid"},
                       Building.get_by_id(hh.building_id).community_id,
                       actor=normalise(form.visitor_name))
    return str(new.id), str(new.number)


def _visitor_id(name: str) -> str | None:
    person = Person.get_or_none((Person.name == normalise(name)) & (Person.deleted == False))  # noqa: E712
    return person.id if person else None


def default_visitor(building_id: str | None = None) -> str:
    """The operator on duty, else the building's grid worker."""
    signed_in = operators.current()
    name = signed_in.name if signed_in else ""
    if name:
        return name
    if building_id:
        b = Building.get_or_none(Building.id == building_id)
        if b:
            role = (Role.select(Role, Person).join(Person)
                    .where((Role.grid == b.grid_id) & (Role.kind == "grid_worker")
                           & (Role.deleted == False)).first())  # noqa: E712
            if role:
                return str(role.person.name)
    return ""


def now_text() -> str:
    """The default for the "when" field: now, in local time."""
    return f"{clock.local(clock.now()):%Y-%m-%d %H:%M}"


@dataclass
class VisitRow:
    id: str
    visited_at: datetime  # local
    place: str
    resident: str
    visitor: str
    kind: str
    findings: str
    services: str
    follow_up: bool
    round: str


def _building_visits(building_id: str) -> Any:
    return (Visit.select(Visit, Household.room.alias("room"), Unit.number.alias("unit_no"),
                         Resident.name.alias("r_name"), VisitRound.name.alias("round_name"))
            .join(Household).join(Unit, on=(Household.unit == Unit.id), join_type=JOIN.LEFT_OUTER)
            .switch(Visit).join(Resident, join_type=JOIN.LEFT_OUTER)
            .switch(Visit).join(VisitRound, join_type=JOIN.LEFT_OUTER)
            .where(Household.building == building_id))


def count_visits(building_id: str) -> int:
    return int(Visit.select().join(Household).where(Household.building == building_id).count())


def visits_page(building_id: str, offset: int, limit: int) -> list[VisitRow]:
    """A building's visit log, newest first."""
    rows = (_building_visits(building_id).order_by(Visit.visited_at.desc(), Visit.id)
            .offset(offset).limit(limit).objects())
    return [VisitRow(v.id, clock.local(v.visited_at),
                     f"{v.unit_no}-{v.room}" if v.unit_no else v.room, v.r_name or "",
                     v.visitor_name, v.kind, v.findings, v.services, bool(v.follow_up),
                     v.round_name or "") for v in rows]


def last_visit(building_id: str | None = None, grid_id: str | None = None) -> datetime | None:
    """The latest visit to a building or a grid, local time."""
    query = Visit.select(Visit.visited_at).join(Household).join(Building)
    if building_id:
        query = query.where(Building.id == building_id)
    if grid_id:
        query = query.where(Building.grid == grid_id)
    row = query.order_by(Visit.visited_at.desc()).first()
    return clock.local(row.visited_at) if row else None


def round_name(round_id: str | None) -> str:
    row = VisitRound.get_or_none(VisitRound.id == round_id) if round_id else None
    return str(row.name) if row else ""
