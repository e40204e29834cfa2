"""Read views of mediation records for the mediation screen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from peewee import fn

from models.mediation import Mediation, MediationParty


@dataclass
class MediationRow:
    id: str
    number: str
    title: str
    dispute_type: str
    status: str
    opened_on: date
    parties: str


def _query(community_id: str):  # type: ignore[no-untyped-def]
    return Mediation.select().where(
        (Mediation.community == community_id) & (Mediation.deleted == False))  # noqa: E712


def count(community_id: str) -> int:
    return _query(community_id).count()


def page(community_id: str, offset: int, limit: int) -> list[MediationRow]:
    """Mediations, open ones first, newest first."""
    rows = list(_query(community_id)
                .order_by(fn.iif(Mediation.status == "open", 0, 1), Mediation.opened_on.desc(),
                          Mediation.number.desc())
                .offset(offset).limit(limit))
    names: dict[str, list[str]] = {}
    for p in (MediationParty.select(MediationParty.mediation, MediationParty.name)
              .where(MediationParty.mediation.in_([r.id for r in rows]))
              .order_by(MediationParty.side)):
        names.setdefault(p.mediation_id, []).append(p.name)
    return [MediationRow(r.id, r.number, r.title, r.dispute_type, r.status, r.opened_on,
                         " / ".join(names.get(r.id, []))) for r in rows]
