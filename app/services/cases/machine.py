"""The case lifecycle as a pure state machine: what each event does, what is allowed when.

A case's state is never stored as a fact: it is the fold of its ``CaseEvent`` rows ordered
by ``(at, id)`` (DESIGN.md, sync contract 3). Events that are not allowed where they fall
in that order (e.g. two stations both dispatched the same case) are skipped by the fold,
so any set of events gives one state, whatever order it arrived in. No database here:
:mod:`app.services.cases.cache` reads the events and keeps the cached columns.

Lifecycle::

    received → responded → dispatched → signed (签收) → in_progress → resolved
                              ↑   └→ returned (退单) ┘                    ↓
                              └──── reopened ←── evaluated (poor) ← ─ evaluated → closed

plus escalate / de-escalate (网格 → 社区 → 街道 → 区) — a case a handler held
(dispatched, signed, in progress) goes to ``returned`` at its new level, to be dispatched
there (the street signs what a community escalated, whatever the community had begun) —
merge into an original, cancel,
and ``mediation_opened`` / ``mediation_closed`` (the mediation service) in between:
``mediation`` (调解中) while the case waits on its mediation, then ``mediated`` (调解毕)
once the mediation reached an outcome, until the case is resolved or dispatched on (a
failed mediation). The state after a mediation never falls back to a pre-mediation one,
so the list never shows a stale 已受理 for a case the mediation settled.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from app.i18n import t

LEVELS = ("grid", "community", "street", "district")
COLOURS = ("red", "yellow", "green")
CATEGORIES = ("110", "114", "119", "120", "122")
CHANNELS = ("phone", "walk_in", "visit", "wechat", "group_chat", "mailbox", "patrol",
            "class_meeting", "referred")
OPEN_STATES = frozenset({"received", "responded", "dispatched", "signed", "returned",
                         "in_progress", "reopened", "mediation", "mediated"})
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
    "dispatched": frozenset({"responded", "returned", "reopened", "mediated"}),
    "signed": frozenset({"dispatched"}),
    "returned": frozenset({"dispatched", "signed"}),
    "started": frozenset({"signed"}),
    "resolved": frozenset({"signed", "in_progress", "mediation", "mediated"}),
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
#: States in which a handler holds the case: a change of level (上报/退回) takes it from them.
HELD_STATES = frozenset({"dispatched", "signed", "in_progress"})
#: Actions that need a reason in the note.
NEEDS_REASON = frozenset({"returned", "escalated", "deescalated", "cancelled", "reopened"})

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
    mediation: str = ""  # id of the mediation it waits on or was settled by
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


def level_step(level: str, step: int) -> str:
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
        moved = replace(d, level=level_step(d.level, 1 if k == "escalated" else -1))
        if d.state in HELD_STATES:  # the new level takes it on: it waits to be dispatched there
            return replace(moved, state="returned", handler="", handler_kind="")
        return moved
    if k == "merged":
        return replace(d, state=k, merged_into=str(ev.data.get("into", "")))
    if k == "mediation_opened":
        return replace(d, state="mediation", mediation=str(ev.data.get("mediation", "")))
    if k == "mediation_closed":
        return replace(d, state="mediated",
                       mediation=str(ev.data.get("mediation", "")) or d.mediation)
    return replace(d, state=k)  # closed, signed, cancelled


def derive(events: Iterable[Event], level: str = "grid") -> Derived:
    """Fold events in ``(at, id)`` order: the same set gives the same case, always."""
    d = Derived(level=level)
    unique = {ev.id: ev for ev in events}  # a fact seen twice (re-import) counts once
    for ev in sorted(unique.values(), key=Event.sort_key):
        d = apply(d, ev)
    return d
