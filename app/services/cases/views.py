"""Read views of cases: the paged, filtered list and one case's whole timeline.

The list pages straight off the index ``(community, open_rank, due_next, number)``:
open cases red first, then by time left; finished cases (rank 9) after them when the
filter asks for all. Only the rows on screen are fetched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from peewee import JOIN, Expression

from app import clock
from app.i18n import t
from app.services.cases import deadlines
from app.services.cases.lifecycle import (
    ACTIONS,
    CLOSED_RANK,
    OPEN_STATES,
    events_of,
    refusal,
    subcategory_label,
)
from app.services.cases.lifecycle import current as current_state
from app.services.trust.masking import Scope, shown
from models.cases import Case, CaseEvent, Evaluation
from models.db import db
from models.mediation import Mediation
from models.people import Person, Role
from models.places import Grid, Organization


@dataclass
class CaseFilter:
    """What the cases screen is narrowed to (empty = any)."""

    scope: str = "open"  # open, all, finished
    level: str = ""
    colour: str = ""
    grid_id: str = ""
    category: str = ""
    handler: str = ""
    overdue: bool = False
    text: str = ""
    due_before: datetime | None = None  # open, not yet late, falling due before this

    def is_default(self) -> bool:
        return self == CaseFilter()


@dataclass
class CaseRow:
    id: str
    number: str
    colour: str
    level: str
    grid: str
    category: str
    subcategory: str
    state: str
    received_at: datetime
    due_response: datetime | None
    due_resolution: datetime | None
    responded_at: datetime | None
    handler: str
    description: str
    mediation: str = ""  # its mediation's number, for an open case sent to mediation

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def time_left(self) -> float | None:
        """Hours until the next deadline that matters (negative when overdue).

        Before the response: the sooner of both deadlines; after: the resolution's.
        """
        if not self.is_open or self.state == "mediation":  # waits on the mediation's clock
            return None
        dues = [self.due_resolution]
        if self.responded_at is None:
            dues.append(self.due_response)
        known = [d for d in dues if d is not None]
        return deadlines.hours_left(min(known)) if known else None

    def age_hours(self) -> float:
        return max(0.0, -(deadlines.hours_left(self.received_at) or 0.0))


def time_left_words(hours: float | None) -> tuple[str, str]:
    """A countdown or how late, in the words used on screen *and* in files (``超时9天``),
    with its tone: ``late``, ``soon`` (under two hours), ``near`` (under a day) or ``""``."""
    if hours is None:
        return "—", ""
    if -1 < hours < 1:
        minutes = round(abs(hours) * 60)
        if hours < 0:
            return t("cases.overdue_minutes", m=minutes), "late"
        return t("cases.minutes_left", m=minutes), "soon"
    if hours < 0:
        late = -hours
        return (t("cases.overdue", h=f"{late:.0f}") if late < 48
                else t("cases.overdue_days", d=f"{late / 24:.0f}")), "late"
    if hours < 24:
        return t("cases.hours_left", h=f"{hours:.0f}"), "soon" if hours < 2 else "near"
    return t("cases.days_left", d=f"{hours / 24:.1f}"), ""


def _where(community_id: str, f: CaseFilter) -> Expression:
    cond = (Case.community == community_id) & (Case.deleted == False)  # noqa: E712
    if f.scope == "open":
        cond &= Case.open_rank < CLOSED_RANK
    elif f.scope == "finished":
        cond &= Case.open_rank == CLOSED_RANK
    for column, value in ((Case.level, f.level), (Case.colour, f.colour),
                          (Case.grid, f.grid_id), (Case.category, f.category),
                          (Case.handler, f.handler)):
        if value:
            cond &= column == value
    if f.overdue:
        now = clock.to_storage(clock.now())
        cond &= (Case.open_rank < CLOSED_RANK) & (
            (Case.due_resolution < now)
            | (Case.responded_at.is_null() & (Case.due_response < now)))
    if f.due_before is not None:
        now = clock.to_storage(clock.now())
        cond &= ((Case.open_rank < CLOSED_RANK) & (Case.due_next >= now)
                 & (Case.due_next < clock.to_storage(f.due_before)))
    if f.text.strip():
        like = f"%{f.text.strip()}%"
        cond &= (Case.number.contains(f.text.strip()) | Case.description ** like
                 | Case.reporter_name ** like | Case.place ** like | Case.handler ** like)
    return cond


def unknown_calendar_year() -> int | None:
    """This year, when the holiday calendar does not know it (weekends only then)."""
    year = clock.today().year
    return None if deadlines.calendar_known(year) else year


def count(community_id: str, f: CaseFilter | None = None) -> int:
    return Case.select(Case.id).where(_where(community_id, f or CaseFilter())).count()


def count_open(community_id: str) -> int:
    return count(community_id)


def page(community_id: str, f: CaseFilter | None, offset: int, limit: int) -> list[CaseRow]:
    """One page of the list, in the indexed order (red first, then by time left)."""
    query = (Case.select(Case.id, Case.number, Case.colour, Case.level, Case.grid,
                         Case.category, Case.subcategory, Case.state, Case.received_at,
                         Case.due_response, Case.due_resolution, Case.responded_at,
                         Case.handler, Case.description)
             .where(_where(community_id, f or CaseFilter()))
             .order_by(Case.community, Case.open_rank, Case.due_next, Case.number)
             .offset(offset).limit(limit).tuples())  # tuples: no model per row (keystrokes)
    names = grid_names(community_id)
    rows = [CaseRow(id_, number, colour, level, names.get(grid or "", ""), *rest)
            for id_, number, colour, level, grid, *rest in cast(Any, query)]
    waiting = mediation_numbers([r.id for r in rows if r.is_open])  # in or after mediation
    for r in rows:
        r.mediation = waiting.get(r.id, "")
    return rows


_MEDIATION_BY_CASE = "mediation_case_id"  # peewee's name for the index of Mediation.case


def mediation_numbers(case_ids: list[str]) -> dict[str, str]:
    """Case id -> number of its latest mediation (for cases waiting on one)."""
    if not case_ids:
        return {}
    # by the case index, named: without it SQLite walks the whole table (or the number
    # index, to skip a sort) -- 5-15 ms per page at street scale, on every filter keystroke
    marks = ",".join("?" * len(case_ids))
    sql = (f'SELECT "{Mediation.case.column_name}", "number" FROM "{Mediation._meta.table_name}"'
           f' INDEXED BY "{_MEDIATION_BY_CASE}" WHERE "{Mediation.case.column_name}" IN ({marks})'
           ' AND "deleted" = 0')
    rows = sorted(db.execute_sql(sql, case_ids).fetchall(), key=lambda r: r[1])
    return {case_id: number for case_id, number in rows}  # the latest number wins


def open_page(community_id: str, offset: int, limit: int) -> list[CaseRow]:
    return page(community_id, None, offset, limit)


_GRID_NAMES: dict[str, dict[str, str]] = {}


def grid_names(community_id: str) -> dict[str, str]:
    if community_id not in _GRID_NAMES:
        _GRID_NAMES[community_id] = {g.id: g.name for g in Grid.select(Grid.id, Grid.name)
                                     .where(Grid.community == community_id)}
    return _GRID_NAMES[community_id]


def grid_choices(community_id: str) -> list[tuple[str, str]]:
    """(id, name) of every grid, in number order (for filters)."""
    rows = (Grid.select(Grid.id, Grid.name).where((Grid.community == community_id)
                                                 & (Grid.deleted == False))  # noqa: E712
            .order_by(Grid.number))
    return [(g.id, g.name) for g in rows]


def handler_choices(community_id: str) -> list[str]:
    """Handlers that hold open cases (for the filter)."""
    rows = (Case.select(Case.handler).distinct()
            .where((Case.community == community_id) & (Case.handler != ""))
            .order_by(Case.handler))
    return [r.handler for r in rows]


@dataclass
class Target:
    """Someone or something a case can be dispatched to."""

    name: str
    kind: str  # person, team, property, lawyer, department
    detail: str = ""


_ROLE_KIND = {"grid_worker": "person", "grid_chief": "person", "staff": "person",
              "secretary": "person", "lawyer": "lawyer", "medical_insurance": "person",
              "people_mediator": "person"}
_ORG_KIND = {"volunteer_team": "team", "property_company": "property",
             "department": "department", "co_building_unit": "department",
             "owners_committee": "team"}


def dispatch_targets(community_id: str, case_id: str | None = None,
                     grid_id: str | None = None) -> list[Target]:
    """Grid workers and staff, the lawyer, volunteer teams, property companies, departments.

    The people of the case's own grid (or of ``grid_id``, at intake) come first.
    """
    out = _targets(community_id)
    case = Case.get_or_none(Case.id == case_id) if case_id else None
    grid_id = case.grid_id if case else grid_id
    grid = grid_names(community_id).get(grid_id or "", "")
    if grid:
        out.sort(key=lambda x: x.detail != grid)  # stable: the rest keep their order
    return out


def _targets(community_id: str) -> list[Target]:
    out: list[Target] = []
    roles = (Role.select(Role.kind, Person.name, Grid.name)
             .join(Person).switch(Role).join(Grid, JOIN.LEFT_OUTER)
             .where((Person.community == community_id) & Role.kind.in_(list(_ROLE_KIND)))
             .order_by(Role.kind, Grid.number, Person.name).tuples())
    rows: list[tuple[str, str, str | None]] = list(cast(Any, roles))
    for kind, name, grid_name in rows:
        out.append(Target(name, _ROLE_KIND[kind], grid_name or t(f"dispatch.kind.{kind}")))
    orgs = (Organization.select().where((Organization.community == community_id)
                                        & Organization.kind.in_(list(_ORG_KIND)))
            .order_by(Organization.kind, Organization.name))
    out.extend(Target(o.name, _ORG_KIND[o.kind], t(f"dispatch.kind.{o.kind}")) for o in orgs)
    return out


@dataclass
class TimelineItem:
    at: datetime
    kind: str
    actor: str
    note: str
    data: dict[str, Any]


@dataclass
class EvaluationView:
    kind: str
    at: datetime
    score: int
    timeliness: int | None
    quality: int | None
    method: str
    comment: str


@dataclass
class CaseDetail:
    row: CaseRow
    channel: str
    reporter_name: str
    reporter_phone: str
    place: str
    subcategory_label: str
    handler_kind: str
    merged_into: str
    last_score: int | None
    timeline: list[TimelineItem] = field(default_factory=list)
    evaluations: list[EvaluationView] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)


def detail(case_id: str) -> CaseDetail:
    """A case with its whole timeline, its evaluations and the actions it allows now."""
    c = Case.get_by_id(case_id)
    names = grid_names(c.community_id)
    row = CaseRow(c.id, c.number, c.colour, c.level, names.get(c.grid_id or "", ""),
                  c.category, c.subcategory, c.state, c.received_at, c.due_response,
                  c.due_resolution, c.responded_at, c.handler, c.description)
    row.mediation = mediation_numbers([case_id]).get(case_id, "")
    d = current_state(case_id)
    allowed = [k for k in ACTIONS if not k.startswith("mediation") and refusal(d, k) is None]
    merged_number = ""
    if d.merged_into:
        target = Case.get_or_none(Case.id == d.merged_into)
        merged_number = target.number if target else d.merged_into
    dupes = [Case.get_by_id(e.case_id).number for e in CaseEvent.select(CaseEvent.case)
             .where((CaseEvent.kind == "merged") & (CaseEvent.data.contains(case_id)))]
    evals = [EvaluationView(e.kind, e.at, e.score, e.timeliness, e.quality, e.method,
                            e.comment)
             for e in Evaluation.select().where(Evaluation.case == case_id)
             .order_by(Evaluation.at, Evaluation.id)]
    return CaseDetail(
        row, c.channel, c.reporter_name,
        shown("reporter_phone", c.reporter_phone, scope=Scope(c.grid_id or "", c.handler)), c.place,
        subcategory_label(c.subcategory) if c.subcategory else "", d.handler_kind,
        merged_number, d.last_score,
        [TimelineItem(clock.local(e.at), e.kind, e.actor, e.note, e.data)
         for e in events_of(case_id)], evals, allowed, dupes)


def headline(case_id: str, width: int = 40) -> str:
    """``DT-20261127-009  12-3-402 楼道灯不亮…``: what an action dialog names."""
    c = Case.get_or_none(Case.id == case_id)
    if c is None or width <= 0:
        return c.number if c else ""
    line = " ".join(f"{c.place or ''} {c.description or ''}".split())
    return f"{c.number}  {line[:width]}{'…' if len(line) > width else ''}"


def find_case(number_or_id: str) -> str | None:
    """The id of the case with this number (or id), if any."""
    c = Case.get_or_none((Case.number == number_or_id.strip())
                         | (Case.id == number_or_id.strip()))
    return c.id if c else None


def data_text(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False) if data else ""
