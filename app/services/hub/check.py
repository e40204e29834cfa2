"""``mulin hub check``: PostgreSQL's view of the hub plus Mulin's invariants per community.

PostgreSQL: the data-page checksum failures it has counted for this database (when
checksums are on), constraints left unvalidated, and every community schema holding
every station table. Mulin: the station's own invariants
(:mod:`app.services.trust.check`: case caches equal their events, the change log
agrees with the tables, sequences without gaps), run inside each community's schema.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.services.hub import database as hubdb
from app.services.trust import check as station_check
from app.services.trust.check import Problem
from models.db import db
from models.hub import HUB_SCHEMA
from models.schema import TABLES
from models.sync import Station

#: The station checks that hold at the hub as they hold on a station (SQL portable).
INVARIANTS = (station_check.case_states, station_check.unlogged_rows,
              station_check.missing_rows, station_check.sequences)


@dataclass(frozen=True)
class Finding:
    community: str  # "" for the hub as a whole
    problem: Problem


def _server() -> list[Problem]:
    out: list[Problem] = []
    failures = db.execute_sql("SELECT checksum_failures FROM pg_stat_database "
                              "WHERE datname = current_database()").fetchone()
    if failures and failures[0]:
        out.append(Problem("integrity", f"checksum failures: {failures[0]}"))
    bad = db.execute_sql("SELECT n.nspname, c.conname FROM pg_constraint c JOIN pg_namespace n "
                         "ON n.oid = c.connamespace WHERE NOT c.convalidated AND "
                         "(n.nspname = ? OR n.nspname LIKE 'c\\_%')", (HUB_SCHEMA,)).fetchall()
    out += [Problem("integrity", f"{schema}.{name} not validated") for schema, name in bad]
    return out


def _tables(schema: str) -> list[Problem]:
    have = {r[0] for r in db.execute_sql("SELECT table_name FROM information_schema.tables "
                                         "WHERE table_schema = ?", (schema,)).fetchall()}
    missing = sorted(m._meta.table_name for m in TABLES if m._meta.table_name not in have)
    return [Problem("missing", f"{schema}: no table {', '.join(missing)}")] if missing else []


def run() -> list[Finding]:
    """Every check; an empty list means the hub is sound."""
    findings = [Finding("", p) for p in _server()]
    for community in hubdb.communities():
        name = community.name or community.id[:8]
        problems = _tables(community.schema_name)
        if not problems:
            hubdb.activate(community)
            if Station.get_or_none(Station.id == community.station_id) is None:
                problems.append(Problem("missing", f"station {community.station_id}"))
            for check in INVARIANTS:
                problems.extend(check())
        findings += [Finding(name, p) for p in problems]
    return findings
