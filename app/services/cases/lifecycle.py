"""Cases 诉求: intake, lifecycle actions and the two-way evaluation, each refused before
anything is written when the case does not allow it.

The state machine itself is :mod:`app.services.cases.machine` (pure) and the cached
columns :mod:`app.services.cases.cache`; their public names are importable from here too,
where the screens and the other services have always found them.

"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

from app import clock, store
from app.i18n import t
from app.services.cases.cache import current as current
from app.services.cases.cache import events_of as events_of
from app.services.cases.cache import refresh_community as refresh_community
from app.services.cases.cache import refresh_derived_cache as refresh_derived_cache
from app.services.cases.machine import ACTIONS as ACTIONS
from app.services.cases.machine import ALLOWED as ALLOWED
from app.services.cases.machine import CATEGORIES as CATEGORIES
from app.services.cases.machine import CHANNELS as CHANNELS
from app.services.cases.machine import CLOSED_RANK as CLOSED_RANK
from app.services.cases.machine import COLOUR_RANK as COLOUR_RANK
from app.services.cases.machine import COLOURS as COLOURS
from app.services.cases.machine import EVAL_METHODS as EVAL_METHODS
from app.services.cases.machine import LEVELS as LEVELS
from app.services.cases.machine import NEEDS_REASON as NEEDS_REASON
from app.services.cases.machine import OPEN_STATES as OPEN_STATES
from app.services.cases.machine import POOR_SCORE as POOR_SCORE
from app.services.cases.machine import STATES as STATES
from app.services.cases.machine import TARGET_KINDS as TARGET_KINDS
from app.services.cases.machine import Derived as Derived
from app.services.cases.machine import Event as Event
from app.services.cases.machine import apply as apply
from app.services.cases.machine import derive as derive
from app.services.cases.machine import level_step, refusal
from app.services.places.address import door
from app.services.station import settings
from models.cases import Case, CaseEvent, Evaluation
from models.places import Building, Household, Resident, Unit

#: Default subcategories per category (setting ``cases.subcategories`` overrides them).
SUBCATEGORIES: dict[str, list[str]] = {
    "110": ["power_cut", "water", "lift", "lighting", "sanitation", "leaks"],
    "114": ["policy_question", "medical_insurance", "certificate"],
    "119": ["elderly_care", "errand", "escort"],
    "120": ["emergency"],
    "122": ["noise", "parking", "dogs", "leaks", "shared_space", "neighbour_dispute"],
}
SUBCATEGORY_SETTING = "cases.subcategories"
_RED_SUBS = frozenset({"power_cut", "water", "emergency"})
_COLOUR_BY_CATEGORY = {"110": "yellow", "114": "green", "119": "yellow", "120": "red",
                       "122": "yellow"}


class CaseRefused(ValueError):
    """An action or form the case does not allow; ``str()`` is the user's message and
    ``field`` names the form field to fix (empty when no one field is at fault)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


# -- settings ----------------------------------------------------------------------------
def subcategories() -> dict[str, list[str]]:
    """Subcategories per category: the community setting, else the defaults."""
    value = settings.get_json(SUBCATEGORY_SETTING)
    if value is None:
        return SUBCATEGORIES
    try:
        return {c: [str(s) for s in value.get(c, SUBCATEGORIES[c])] for c in CATEGORIES}
    except (ValueError, AttributeError):
        return SUBCATEGORIES


def subcategory_label(sub: str) -> str:
    from app import labels

    return labels.code("subcategory", sub)


def suggest_colour(category: str, subcategory: str = "") -> str:
    """The urgency a category usually has (the desk may change it)."""
    if subcategory in _RED_SUBS:
        return "red"
    return _COLOUR_BY_CATEGORY.get(category, "green")


# -- intake --------------------------------------------------------------------------------
class IntakeForm(BaseModel):
    """What the duty desk types for a new case."""

    channel: Literal["phone", "walk_in", "visit", "wechat", "group_chat", "mailbox", "patrol",
                     "class_meeting", "referred"] = "phone"
    category: Literal["110", "114", "119", "120", "122"]
    subcategory: str = ""
    reporter_id: str | None = None
    reporter_name: str = Field("", max_length=40)
    reporter_phone: str = Field("", max_length=20)
    place: str = Field("", max_length=120)
    description: str = Field(min_length=1, max_length=2000)
    colour: Literal["red", "yellow", "green"] | None = None
    level: Literal["grid", "community", "street", "district"] = "grid"
    grid_id: str | None = None  # when there is no reporter to take it from
    respond: bool = False  # 受理并响应: the desk answers the call at once
    dispatch_to: str = Field("", max_length=80)  # 派单 in the same save (implies respond)
    dispatch_kind: Literal["person", "team", "property", "lawyer", "department"] = "person"

    @field_validator("description", "place", "reporter_name", "reporter_phone", "dispatch_to",
                     mode="before")
    @classmethod
    def _strip(cls, v: Any) -> Any:
        return v.strip() if isinstance(v, str) else v


@dataclass
class NewCase:
    id: str
    number: str
    colour: str
    due_response: datetime
    due_resolution: datetime


def validate_intake(values: dict[str, Any]) -> IntakeForm:
    try:
        return IntakeForm.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise CaseRefused(t("cases.refuse.field", field=t(f"intake.{where}")), where) from exc


def case_number(prefix: str, day: date, n: int) -> str:
    """``PREFIX-YYYYMMDD-NNN``: the station's prefix, the local day, a per-day counter."""
    return f"{prefix}-{day:%Y%m%d}-{n:03d}"


def next_number(prefix: str, at: datetime) -> str:
    """The next free case number of the day of ``at`` for this station's prefix."""
    day = clock.local(at).date()
    stem = case_number(prefix, day, 0).removesuffix("000")
    taken = {c.number for c in Case.select(Case.number).where(Case.number.startswith(stem))}
    n = len(taken) + 1
    while case_number(prefix, day, n) in taken:
        n += 1
    return case_number(prefix, day, n)


def _reporter_fields(reporter_id: str | None) -> dict[str, Any]:
    if not reporter_id:
        return {}
    r = Resident.get_or_none(Resident.id == reporter_id)
    if r is None:
        raise CaseRefused(t("cases.refuse.no_reporter"))
    hh = Household.get_by_id(r.household_id)
    b = Building.get_by_id(hh.building_id)
    unit = Unit.get_or_none(Unit.id == hh.unit_id) if hh.unit_id else None
    unit_no = str(unit.number) if unit else ""
    return {"reporter": r.id, "reporter_name": r.name, "reporter_phone": r.phone,
            "grid": b.grid_id, "building": b.id, "unit": unit_no, "room": hh.room,
            "place": door(b.number, unit_no, hh.room)}


def intake(values: dict[str, Any] | IntakeForm, community_id: str | None = None,
           actor: str = "") -> NewCase:
    """Register a demand; returns its number and deadlines. Invalid input writes nothing."""
    form = values if isinstance(values, IntakeForm) else validate_intake(values)
    ctx = store.context()
    community = community_id or ctx.community_id
    now = clock.now()
    colour = form.colour or suggest_colour(form.category, form.subcategory)
    row: dict[str, Any] = {
        "community": community, "channel": form.channel, "category": form.category,
        "subcategory": form.subcategory, "reporter_name": form.reporter_name,
        "reporter_phone": form.reporter_phone, "place": form.place,
        "description": form.description, "colour": colour, "level": form.level,
        "received_at": now, "grid": form.grid_id or None,
    }
    row.update(_reporter_fields(form.reporter_id))
    if form.place:
        row["place"] = form.place
    with store.write() as tx:
        row["number"] = next_number(ctx.prefix, now)
        case_id = tx.insert(Case, **row)
        tx.append(CaseEvent, case=case_id, kind="received", at=now, actor=actor,
                  data=json.dumps({"level": form.level, "channel": form.channel}))
        _respond_and_dispatch(tx, case_id, form, now, actor)
        refresh_derived_cache([case_id])
    case = Case.get_by_id(case_id)
    due_resp, due_res = case.due_response, case.due_resolution
    assert due_resp is not None and due_res is not None  # set by the refresh above
    return NewCase(case_id, case.number, colour, clock.local(due_resp), clock.local(due_res))


def _respond_and_dispatch(tx: Any, case_id: str, form: IntakeForm, at: datetime,
                          actor: str) -> None:
    """受理 → 响应 → 派单 in one save: each its own event, stamped a millisecond apart."""
    if not (form.respond or form.dispatch_to):
        return
    step = timedelta(milliseconds=1)
    tx.append(CaseEvent, case=case_id, kind="responded", at=at + step, actor=actor,
              note="", data="{}")
    if form.dispatch_to:
        data = {"to": form.dispatch_to, "to_kind": form.dispatch_kind}
        tx.append(CaseEvent, case=case_id, kind="dispatched", at=at + 2 * step, actor=actor,
                  note="", data=json.dumps(data, ensure_ascii=False, sort_keys=True))


# -- actions ---------------------------------------------------------------------------------
class ActionForm(BaseModel):
    """The details of one lifecycle action."""

    kind: str
    note: str = Field("", max_length=2000)
    to: str = Field("", max_length=80)
    to_kind: Literal["person", "team", "property", "lawyer", "department"] = "person"
    into: str = ""

    @field_validator("note", "to", "into", mode="before")
    @classmethod
    def _strip(cls, v: Any) -> Any:
        return v.strip() if isinstance(v, str) else v


def _form_refusal(form: ActionForm) -> str | None:
    if form.kind in NEEDS_REASON and not form.note:
        return t("cases.refuse.reason", action=t(f"cases.action.{form.kind}"))
    if form.kind == "dispatched" and not form.to:
        return t("cases.refuse.no_target")
    if form.kind == "resolved" and not form.note:
        return t("cases.refuse.result")
    return None


def _next_at(events: Sequence[Event]) -> datetime:
    """Now, but strictly after the case's last event so local order is kept."""
    now = clock.now()
    if events and events[-1].at >= now:
        return events[-1].at + timedelta(milliseconds=1)
    return now


def _merge_refusal(case_id: str, into: str) -> str | None:
    if not into or into == case_id:
        return t("cases.refuse.merge_self")
    target = Case.get_or_none((Case.id == into) | (Case.number == into))
    if target is None or target.id == case_id:
        return t("cases.refuse.merge_target")
    if target.state in ("merged", "cancelled"):
        return t("cases.refuse.merge_target")
    return None


def act(case_id: str, kind: str, note: str = "", actor: str = "",
        **details: Any) -> Derived:
    """Record one lifecycle action, or raise :class:`CaseRefused` and write nothing."""
    try:
        form = ActionForm(kind=kind, note=note, **details)
    except ValidationError as exc:
        raise CaseRefused(t("cases.refuse.field", field=str(exc.errors()[0]["loc"][0]))) from exc
    if kind == "evaluated":
        raise CaseRefused(t("cases.refuse.use_evaluate"))
    events = events_of(case_id)
    d = current(case_id)
    reason = refusal(d, kind)
    if reason:
        raise CaseRefused(reason)
    reason = _form_refusal(form)
    if reason:
        raise CaseRefused(reason, "to" if kind == "dispatched" and not form.to else "note")
    if kind == "merged":
        reason = _merge_refusal(case_id, form.into)
        if reason:
            raise CaseRefused(reason, "into")
    data: dict[str, Any] = {}
    if kind == "dispatched":
        data = {"to": form.to, "to_kind": form.to_kind}
    elif kind == "merged":
        target = Case.get((Case.id == form.into) | (Case.number == form.into))
        data = {"into": target.id, "number": target.number}
    elif kind in ("escalated", "deescalated"):
        data = {"from": d.level, "to": level_step(d.level, 1 if kind == "escalated" else -1)}
    _append(case_id, kind, _next_at(events), actor or store.context().operator, form.note, data)
    return current(case_id)


def _append(case_id: str, kind: str, at: datetime, actor: str, note: str,
            data: dict[str, Any]) -> None:
    with store.write() as tx:
        tx.append(CaseEvent, case=case_id, kind=kind, at=at, actor=actor, note=note,
                  data=json.dumps(data, ensure_ascii=False, sort_keys=True))
        refresh_derived_cache([case_id])


class EvaluationForm(BaseModel):
    """Two-way evaluation: the resident's rating, and optionally the handler's rating."""

    score: int = Field(ge=1, le=5)
    method: Literal["phone_callback", "visit", "in_person"] = "phone_callback"
    comment: str = Field("", max_length=1000)
    timeliness: int | None = Field(None, ge=1, le=5)
    quality: int | None = Field(None, ge=1, le=5)
    handler_comment: str = Field("", max_length=1000)


def evaluate(case_id: str, values: dict[str, Any] | EvaluationForm, actor: str = "") -> Derived:
    """Record the resident's rating (and the community's counter-rating of the handler)."""
    try:
        form = values if isinstance(values, EvaluationForm) else \
            EvaluationForm.model_validate(values)
    except ValidationError as exc:
        field_name = str(exc.errors()[0]["loc"][0])
        raise CaseRefused(t("cases.refuse.field", field=t(f"evaluate.{field_name}"))) from exc
    events = events_of(case_id)
    reason = refusal(current(case_id), "evaluated")
    if reason:
        raise CaseRefused(reason)
    at = _next_at(events)
    with store.write() as tx:
        tx.append(Evaluation, case=case_id, kind="resident", at=at, score=form.score,
                  method=form.method, comment=form.comment)
        if form.timeliness is not None or form.quality is not None:
            tx.append(Evaluation, case=case_id, kind="community", at=at,
                      score=round(((form.timeliness or form.quality or 0)
                                   + (form.quality or form.timeliness or 0)) / 2),
                      timeliness=form.timeliness, quality=form.quality,
                      comment=form.handler_comment)
        tx.append(CaseEvent, case=case_id, kind="evaluated", at=at,
                  actor=actor or store.context().operator, note=form.comment,
                  data=json.dumps({"score": form.score, "method": form.method}))
        refresh_derived_cache([case_id])
    return current(case_id)


def allowed_actions(case_id: str) -> list[str]:
    """The actions the case allows now (for the screen's hints)."""
    d = current(case_id)
    return [k for k in ACTIONS if not k.startswith("mediation") and refusal(d, k) is None]
