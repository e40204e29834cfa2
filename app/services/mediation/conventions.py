"""Residents' conventions 居民公约 (院落行车公约, 小区运动场管理制度 …): the rules most
disputes are settled against, and the mediations that cited them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from peewee import fn
from pydantic import BaseModel

from app import clock, store
from app.i18n import t
from app.services.mediation.drafts import MediationError, norm, parse_date
from models.mediation import Convention, Mediation, MediationSession, SessionBasis
from models.places import Building, Quarter

SCOPES = ("community", "quarter", "building")


class ConventionDraft(BaseModel):
    """``scope_ref`` names the quarter (小区) or the building number for narrower scopes."""

    title: str
    scope: str = "community"
    scope_ref: str = ""
    adopted_on: date | None = None
    meeting: str = ""
    text: str = ""


@dataclass
class ConventionRow:
    id: str
    title: str
    scope: str
    scope_ref: str
    adopted_on: date | None
    meeting: str
    citations: int


@dataclass
class Citation:
    mediation_id: str
    number: str
    title: str
    status: str


@dataclass
class ConventionDetail:
    id: str
    title: str
    scope: str
    scope_ref: str
    adopted_on: date | None
    meeting: str
    text: str
    citations: list[Citation]


def _quarter(community_id: str, name: str) -> Quarter | None:
    return Quarter.get_or_none((Quarter.community == community_id) & (Quarter.name == norm(name))
                               & (Quarter.deleted == False))  # noqa: E712


def _building(community_id: str, number: str) -> Building | None:
    return Building.get_or_none((Building.community == community_id)
                                & (Building.number == norm(number))
                                & (Building.deleted == False))  # noqa: E712


def check(community_id: str, draft: ConventionDraft) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not draft.title.strip():
        errors["title"] = t("med.err.required")
    if draft.scope not in SCOPES:
        errors["scope"] = t("med.err.choose")
    elif draft.scope == "quarter" and _quarter(community_id, draft.scope_ref) is None:
        errors["scope_ref"] = t("conv.err.no_quarter", name=draft.scope_ref)
    elif draft.scope == "building" and _building(community_id, draft.scope_ref) is None:
        errors["scope_ref"] = t("med.err.no_building", number=draft.scope_ref)
    if draft.adopted_on is not None and draft.adopted_on > clock.today():
        errors["adopted_on"] = t("med.err.future")
    return errors


def _values(community_id: str, draft: ConventionDraft) -> dict[str, object]:
    quarter = _quarter(community_id, draft.scope_ref) if draft.scope == "quarter" else None
    building = _building(community_id, draft.scope_ref) if draft.scope == "building" else None
    return {"title": draft.title.strip(), "scope": draft.scope,
            "quarter": quarter.id if quarter else None,
            "building": building.id if building else None, "adopted_on": draft.adopted_on,
            "meeting": draft.meeting.strip(), "text": draft.text.strip()}


def create(community_id: str, draft: ConventionDraft, operator: str | None = None) -> str:
    errors = check(community_id, draft)
    if errors:
        raise MediationError(errors)
    with store.write(operator) as tx:
        return tx.insert(Convention, community=community_id, **_values(community_id, draft))


def update(convention_id: str, draft: ConventionDraft, operator: str | None = None) -> None:
    row = Convention.get_by_id(convention_id)
    errors = check(row.community_id, draft)
    if errors:
        raise MediationError(errors)
    with store.write(operator) as tx:
        tx.update(Convention, convention_id, **_values(row.community_id, draft))


def _query(community_id: str):  # type: ignore[no-untyped-def]
    return Convention.select().where((Convention.community == community_id)
                                     & (Convention.deleted == False))  # noqa: E712


def count(community_id: str) -> int:
    return int(_query(community_id).count())


def _scope_ref(row: Convention) -> str:
    if row.scope == "quarter" and row.quarter_id:
        quarter = Quarter.get_or_none(Quarter.id == row.quarter_id)
        return quarter.name if quarter else ""
    if row.scope == "building" and row.building_id:
        building = Building.get_or_none(Building.id == row.building_id)
        return building.number if building else ""
    return ""


def _citation_counts(ids: list[str]) -> dict[str, int]:
    query = (SessionBasis.select(SessionBasis.convention,
                                 fn.COUNT(fn.DISTINCT(MediationSession.mediation)))
             .join(MediationSession)
             .where(SessionBasis.convention.in_(ids)).group_by(SessionBasis.convention).tuples())
    pairs: list[tuple[str, int]] = list(cast(Any, query))
    return {str(k): int(v) for k, v in pairs}


def page(community_id: str, offset: int, limit: int) -> list[ConventionRow]:
    """Conventions, most recently adopted first."""
    rows = list(_query(community_id).order_by(Convention.adopted_on.desc(), Convention.title)
                .offset(offset).limit(limit))
    cited = _citation_counts([r.id for r in rows])
    return [ConventionRow(r.id, r.title, r.scope, _scope_ref(r), r.adopted_on, r.meeting,
                          cited.get(r.id, 0)) for r in rows]


def choices(community_id: str) -> list[tuple[str, str]]:
    """(title, id) of every convention, for a selection list."""
    return [(c.title, c.id) for c in _query(community_id).order_by(Convention.title)]


def citations(convention_id: str) -> list[Citation]:
    query = (Mediation.select(Mediation.id, Mediation.number, Mediation.title, Mediation.status)
             .join(MediationSession).join(SessionBasis)
             .where((SessionBasis.convention == convention_id) & (Mediation.deleted == False))  # noqa: E712
             .distinct().order_by(Mediation.number))
    return [Citation(m.id, m.number, m.title, m.status) for m in query]


def detail(convention_id: str) -> ConventionDetail:
    row = Convention.get_by_id(convention_id)
    return ConventionDetail(row.id, row.title, row.scope, _scope_ref(row), row.adopted_on,
                            row.meeting, row.text, citations(row.id))


def _draft(values: dict[str, Any]) -> tuple[ConventionDraft | None, dict[str, str]]:
    try:
        adopted = parse_date(str(values.get("adopted_on") or ""))
    except ValueError:
        return None, {"adopted_on": t("med.err.date")}
    return ConventionDraft(title=str(values.get("title") or ""),
                           scope=str(values.get("scope") or ""),
                           scope_ref=str(values.get("scope_ref") or ""), adopted_on=adopted,
                           meeting=str(values.get("meeting") or ""),
                           text=str(values.get("text") or "")), {}


def form_errors(values: dict[str, Any], community_id: str) -> dict[str, str]:
    """Validate the convention form as it is typed (nothing written)."""
    draft, errors = _draft(values)
    return check(community_id, draft) if draft else errors


def save_form(values: dict[str, Any], community_id: str, item_id: str | None = None) -> str:
    draft, errors = _draft(values)
    if draft is None:
        raise MediationError(errors)
    if item_id:
        update(item_id, draft)
        return item_id
    return create(community_id, draft)
