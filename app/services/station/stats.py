"""``mulin stats``: counts per entity and the content digest (sync contract 6)."""

from __future__ import annotations

import hashlib
import json

from models.base import BaseModel
from models.db import db
from models.schema import TABLES

#: Plural entity names used by ``mulin stats --json``.
PLURALS = {
    "community": "communities", "grid": "grids", "neighborhood": "neighborhoods",
    "quarter": "quarters", "organization": "organizations", "building": "buildings",
    "unit": "units", "household": "households", "resident": "residents",
    "care_flag": "care_flags", "person": "people", "role": "roles",
    "visit_round": "visit_rounds", "visit": "visits", "opinion": "opinions",
    "livelihood_item": "livelihood_items", "livelihood_link": "livelihood_links",
    "livelihood_note": "livelihood_notes", "meeting": "meetings", "agenda_item": "agenda_items",
    "case": "cases", "case_event": "case_events", "evaluation": "evaluations",
    "convention": "conventions", "mediation": "mediations",
    "mediation_party": "mediation_parties", "mediator": "mediators",
    "mediation_session": "mediation_sessions", "session_basis": "session_bases",
    "agreement_term": "agreement_terms", "follow_up": "follow_ups",
    "station": "stations", "setting": "settings", "change": "changes",
    "conflict": "conflicts", "local_state": "local_state",
}


def _is_digested(model: type[BaseModel]) -> bool:
    return model.synced and getattr(model, "digested", True)


def counts() -> dict[str, int]:
    """Live rows per entity (tombstones not counted)."""
    out: dict[str, int] = {}
    for model in TABLES:
        table: str = model._meta.table_name
        where = " WHERE deleted = 0" if "deleted" in model._meta.fields else ""
        out[PLURALS.get(table, table)] = db.execute_sql(
            f'SELECT count(*) FROM "{table}"{where}'
        ).fetchone()[0]
    return out


def digest() -> str:
    """A hash over a canonical form of all content.

    Independent of insertion order (rows sorted by id), of which station wrote what and
    of change-log bookkeeping (``field_clocks``, stations, the change log are left out).
    """
    h = hashlib.sha256()
    for model in sorted(TABLES, key=lambda m: m._meta.table_name):
        if not _is_digested(model):
            continue
        columns = [model._meta.fields[f].column_name for f in model.content_fields()]
        h.update(f"\x00{model._meta.table_name}:{','.join(columns)}\n".encode())
        cols = ", ".join(f'"{c}"' for c in columns)
        cursor = db.execute_sql(f'SELECT {cols} FROM "{model._meta.table_name}" ORDER BY id')
        for row in cursor:
            h.update(json.dumps(row, ensure_ascii=False, default=str).encode())
            h.update(b"\n")
    return h.hexdigest()
