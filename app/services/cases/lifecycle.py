"""Cases 诉求: intake, and the lifecycle as a pure state machine over append-only events.

A case's state is never stored as a fact: it is the fold of its ``CaseEvent`` rows ordered
by ``(at, id)`` (DESIGN.md, sync contract 3). Events that are not allowed where they fall
in that order (e.g. two stations both dispatched the same case) are skipped by the fold,
so any set of events gives one state, whatever order it arrived in. Locally, an action
that is not allowed is refused before anything is written.

Lifecycle::

    received → responded → dispatched → signed (签收) → in_progress → resolved
                              ↑   └→ returned (退单) ┘                    ↓
                              └──── reopened ←── evaluated (poor) ← ─ evaluated → closed

plus escalate / de-escalate (网格 → 社区 → 街道 → 区), merge into an original, cancel,
and ``mediation_opened`` / ``mediation_closed`` (the mediation service) in between.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

from app import clock, store
from app.i18n import t
from app.services.cases import deadlines
from app.services.station import derived, settings
from models.cases import Case, CaseEvent, Evaluation
from models.db import db
from models.places import Building, Household, Resident, Unit

LEVELS = ("grid", "community", "street", "district")
COLOURS = ("red", "yellow", "green")
CATEGORIES = ("110", "114", "119", "120", "122")
CHANNELS = ("phone", "walk_in", "visit", "wechat", "group_chat", "mailbox", "patrol",
            "class_meeting", "referred")
OPEN_STATES = frozenset({"received", "responded", "dispatched", "signed", "returned",
                         "in_progress", "reopened", "mediation"})
STATES = (*sorted(OPEN_STATES), "resolved", "evaluated", "closed", "merged", "cancelled")
TARGET_KINDS = ("person", "team", "property", "lawyer", "department")
EVAL_METHODS = ("phone_callback", "visit", "in_person")
COLOUR_RANK = {"red": 0, "yellow": 1, "green": 2}
CLOSED_RANK = 9
#: A resident score at or below this is "not satisfied" and allows a reopen.
POOR_SCORE = 3

#: event kind -> states it may follow (the action names are the event kinds).
ALLOWED: dict[str, frozenset[str]] = {
    "responded": frozenset({"received"}),
    "dispatched": frozenset({"responded", "returned", "reopened"}),
    "signed": frozenset({"dispatched"}),
    "returned": frozenset({"dispatched", "signed"}),
    "started": frozenset({"signed"}),
    "resolved": frozenset({"signed", "in_progress", "mediation"}),
    "evaluated": frozenset({"resolved"}),
    "closed": frozenset({"resolved", "evaluated"}),
    "reopened": frozenset({"evaluated"}),
    "escalated": OPEN_STATES,
    "deescalated": OPEN_STATES,
    "merged": OPEN_STATES,
    "cancelled": OPEN_STATES,
    "mediation_opened": OPEN_STATES - {"mediation"},
    "mediation_closed": frozenset({"mediation"}),
}
ACTIONS = tuple(ALLOWED)
#: Actions that need a reason in the note.
NEEDS_REASON = frozenset({"returned", "escalated", "deescalated", "cancelled", "reopened"})

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


# -- the pure state machine ------------------------------------------------------------
@dataclass(frozen=True)
class Event:
    """One case event as the state machine sees it (times aware UTC)."""

    id: str
    kind: str
    at: datetime
    actor: str = ""
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def sort_key(self) -> tuple[datetime, str]:
        return (self.at, self.id)


@dataclass(frozen=True)
class Derived:
    """What a case's events add up to."""

    state: str = "received"
    level: str = "grid"
    handler: str = ""
    handler_kind: str = ""
    responded_at: datetime | None = None
    resolved_at: datetime | None = None
    clock_start: datetime | None = None  # resolution clock: receipt, or the last reopen
    before_mediation: str = ""
    merged_into: str = ""
    last_score: int | None = None
    started: bool = False

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


def refusal(d: Derived, kind: str, data: dict[str, Any] | None = None) -> str | None:
    """Why ``kind`` cannot happen now (a message), or None when it can."""
    data = data or {}
    allowed = ALLOWED.get(kind)
    if allowed is None:
        return t("cases.refuse.unknown", action=kind)
    if d.state not in allowed:
        return t("cases.refuse.state", action=t(f"cases.action.{kind}"),
                 state=t(f"state.{d.state}"))
    if kind == "reopened" and (d.last_score is None or d.last_score > POOR_SCORE):
        return t("cases.refuse.reopen_good", score=POOR_SCORE)
    if kind == "escalated" and d.level == LEVELS[-1]:
        return t("cases.refuse.top_level")
    if kind == "deescalated" and d.level == LEVELS[0]:
        return t("cases.refuse.bottom_level")
    return None


def _level_step(level: str, step: int) -> str:
    i = LEVELS.index(level) if level in LEVELS else 0
    return LEVELS[max(0, min(len(LEVELS) - 1, i + step))]


def apply(d: Derived, ev: Event) -> Derived:
    """The case after ``ev``; an event not allowed here leaves it unchanged."""
    if ev.kind == "received":
        return replace(d, level=str(ev.data.get("level") or d.level), clock_start=ev.at)
    if refusal(d, ev.kind, ev.data) is not None:
        return d
    k = ev.kind
    if k == "responded":
        return replace(d, state=k, responded_at=d.responded_at or ev.at)
    if k == "dispatched":
        return replace(d, state=k, handler=str(ev.data.get("to", "")),
                       handler_kind=str(ev.data.get("to_kind", "person")))
    if k == "returned":
        return replace(d, state=k, handler="", handler_kind="")
    if k == "started":
        return replace(d, state="in_progress")
    if k == "resolved":
        return replace(d, state=k, resolved_at=ev.at)
    if k == "evaluated":
        score = ev.data.get("score")
        return replace(d, state=k, last_score=int(score) if score is not None else None)
    if k == "reopened":
        return replace(d, state=k, resolved_at=None, clock_start=ev.at, last_score=None)
    if k in ("escalated", "deescalated"):
        return replace(d, level=_level_step(d.level, 1 if k == "escalated" else -1))
    if k == "merged":
        return replace(d, state=k, merged_into=str(ev.data.get("into", "")))
    if k == "mediation_opened":
        return replace(d, state="mediation", before_mediation=d.state)
    if k == "mediation_closed":
        return replace(d, state=d.before_mediation or "in_progress", before_mediation="")
    return replace(d, state=k)  # closed, signed, cancelled


def derive(events: Iterable[Event], level: str = "grid") -> Derived:
    """Fold events in ``(at, id)`` order: the same set gives the same case, always."""
    d = Derived(level=level)
    unique = {ev.id: ev for ev in events}  # a fact seen twice (re-import) counts once
    for ev in sorted(unique.values(), key=Event.sort_key):
        d = apply(d, ev)
    return d


# -- reading events --------------------------------------------------------------------
def _aware(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _event(row: CaseEvent) -> Event:
    try:
        data = json.loads(row.data or "{}")
    except ValueError:
        data = {}
    return Event(row.id, row.kind, _aware(row.at), row.actor, row.note,
                 data if isinstance(data, dict) else {})


def events_of(case_id: str) -> list[Event]:
    rows = CaseEvent.select().where(CaseEvent.case == case_id)
    return sorted((_event(r) for r in rows), key=Event.sort_key)


def current(case_id: str) -> Derived:
    """The case as its events say it is now."""
    case = Case.get_by_id(case_id)
    events = events_of(case_id)
    return derive(events, _fallback_level(case, events))


def _fallback_level(case: Case, events: list[Event]) -> str:
    """The level to start from when no ``received`` event names one (foreign writers).

    The column is only trusted while no escalation moved it, so a refresh is idempotent.
    """
    moved = any(e.kind in ("escalated", "deescalated") for e in events)
    return "grid" if moved or case.level not in LEVELS else case.level


# -- the derived cache -----------------------------------------------------------------
def _cache_values(case: Case, d: Derived, rules: deadlines.DeadlineRules) -> dict[str, Any]:
    received = _aware(case.received_at)
    start = d.clock_start or received
    due_resp = deadlines.due_response(received, case.colour, case.category, rules)
    due_res = deadlines.due_resolution(start, case.colour, case.category, rules)
    due_next = due_res if d.responded_at else min(due_resp, due_res)
    return {
        "state": d.state, "level": d.level, "handler": d.handler,
        "due_next": clock.to_storage(due_next),
        "open_rank": COLOUR_RANK.get(case.colour, 2) if d.is_open else CLOSED_RANK,
        "responded_at": clock.to_storage(d.responded_at) if d.responded_at else None,
        "resolved_at": clock.to_storage(d.resolved_at) if d.resolved_at else None,
        "due_response": clock.to_storage(due_resp),
        "due_resolution": clock.to_storage(due_res),
    }


def refresh_derived_cache(case_ids: Iterable[str]) -> int:
    """Recompute the cached columns of these cases from their events (not logged: a cache).

    Returns how many cases were refreshed.
    """
    ids = sorted(set(case_ids))
    rules = deadlines.rules()
    done = 0
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        by_case: dict[str, list[Event]] = {c: [] for c in chunk}
        for row in CaseEvent.select().where(CaseEvent.case.in_(chunk)):
            by_case[row.case_id].append(_event(row))
        with db.atomic():
            for case in Case.select().where(Case.id.in_(chunk)):
                # the intake level comes from the ``received`` event; the column only
                # stands in for events written before the level was recorded there
                d = derive(by_case[case.id], _fallback_level(case, by_case[case.id]))
                Case.update(_cache_values(case, d, rules)).where(Case.id == case.id).execute()
                done += 1
    return done


@derived.register("case")
def _refresh_cases(ids: set[str]) -> None:
    refresh_derived_cache(ids)


@derived.register("case_event")
def _refresh_from_events(ids: set[str]) -> None:
    case_ids: set[str] = set()
    id_list = sorted(ids)
    for i in range(0, len(id_list), 500):
        query = CaseEvent.select(CaseEvent.case).where(CaseEvent.id.in_(id_list[i:i + 500]))
        case_ids.update(row.case_id for row in query)
    refresh_derived_cache(case_ids)


def refresh_community(community_id: str) -> int:
    """Recompute every case of a community (after a generator or a rules change)."""
    ids = [c.id for c in Case.select(Case.id).where(Case.community == community_id)]
    return refresh_derived_cache(ids)


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
    key = f"subcategory.{sub}"
    text = t(key)
    return sub if text == key else text


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


def next_number(prefix: str, at: datetime) -> str:
    """``PREFIX-YYYYMMDD-NNN``: a per-day counter, unique for this station's prefix."""
    stem = f"{prefix}-{clock.local(at):%Y%m%d}-"
    taken = {c.number for c in Case.select(Case.number).where(Case.number.startswith(stem))}
    n = len(taken) + 1
    while f"{stem}{n:03d}" in taken:
        n += 1
    return f"{stem}{n:03d}"


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
            "place": f"{b.number}-{unit_no}-{hh.room}" if unit_no else f"{b.number}-{hh.room}"}


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
        data = {"from": d.level, "to": _level_step(d.level, 1 if kind == "escalated" else -1)}
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
