"""``mulin check``: SQLite's integrity check plus Mulin's own invariants.

1. ``PRAGMA integrity_check`` and ``PRAGMA foreign_key_check`` (no orphan rows);
2. every case's cached state and handler equal what its events give
   (:func:`app.services.cases.machine.derive`);
3. the change log agrees with the tables: every content row has a change, every
   inserted or appended row that the log names exists, and each station's changes
   are numbered without gaps (``seq`` 1, 2, 3 … for this station; contiguous for peers).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from app import store
from app.services.cases.cache import event_from_row
from app.services.cases.machine import derive
from models.cases import Case, CaseEvent
from models.db import db
from models.schema import TABLES

#: How many example ids a problem lists at most.
EXAMPLES = 3


@dataclass(frozen=True)
class Problem:
    """One thing wrong: ``kind`` is a catalog suffix (``check.<kind>``), ``detail`` text."""

    kind: str
    detail: str


def _rows(sql: str, params: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """A cursor, read row by row: no check holds a whole table in memory (issue 16)."""
    yield from db.execute_sql(sql, params)


@dataclass
class _Tally:
    """How many, and the first few examples (memory bounded whatever the count)."""

    count: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, example: str) -> None:
        self.count += 1
        if len(self.examples) < EXAMPLES:
            self.examples.append(example)

    def text(self) -> str:
        return f"{self.count} ({', '.join(self.examples)})"


def integrity() -> Iterator[Problem]:
    result = [r[0] for _, r in zip(range(EXAMPLES + 1), _rows("PRAGMA integrity_check"),
                                   strict=False)]
    if result != ["ok"]:
        yield Problem("integrity", "; ".join(result[:EXAMPLES]))


def _row_id(table: str, rowid: int) -> str:
    found = next(_rows(f'SELECT id FROM "{table}" WHERE rowid = ?', (rowid,)), None)
    return str(found[0]) if found else str(rowid)


def foreign_keys() -> Iterator[Problem]:
    orphans: dict[tuple[str, str], _Tally] = {}
    for table, rowid, parent, _fk in _rows("PRAGMA foreign_key_check"):
        tally = orphans.setdefault((table, parent), _Tally())
        tally.add(_row_id(table, rowid) if len(tally.examples) < EXAMPLES else "")
    for (table, parent), tally in sorted(orphans.items()):
        yield Problem("orphans", f"{table} → {parent}: {tally.text()}")


def case_states() -> Iterator[Problem]:
    """Cached case columns must equal the fold of the case's events.

    Cases by id and events by case, two cursors walked side by side: one case's events
    in memory at a time.
    """
    events = iter(CaseEvent.select().order_by(CaseEvent.case).iterator())
    pending = next(events, None)
    wrong = _Tally()
    for case_id, state, handler in cast(Any, Case.select(Case.id, Case.state, Case.handler)
                                        .order_by(Case.id).tuples().iterator()):
        mine = []
        while pending is not None and pending.case_id <= case_id:
            if pending.case_id == case_id:
                mine.append(event_from_row(pending))
            pending = next(events, None)
        d = derive(mine)
        if (d.state, d.handler) != (state, handler):
            wrong.add(f"{case_id} {state}≠{d.state}" if state != d.state
                      else f"{case_id} handler {handler!r}≠{d.handler!r}")
    if wrong.count:
        yield Problem("case_state", f"{wrong.count} ({'; '.join(wrong.examples)})")


def _content_tables() -> list[tuple[str, bool]]:
    return [(m._meta.table_name, m.append_only) for m in TABLES if m.synced]


def unlogged_rows() -> Iterator[Problem]:
    """Content rows that no change in the log wrote."""
    for table, _ in _content_tables():
        tally = _Tally()
        for (row_id,) in _rows(f'SELECT id FROM "{table}" t WHERE NOT EXISTS (SELECT 1 FROM '
                               'change c WHERE c."table" = ? AND c.row_id = t.id)', (table,)):
            tally.add(str(row_id))
        if tally.count:
            yield Problem("unlogged", f"{table}: {tally.text()}")


def missing_rows() -> Iterator[Problem]:
    """Changes that inserted a row the table no longer holds (rows are never removed)."""
    for table, _ in _content_tables():
        tally = _Tally()
        for (row_id,) in _rows(f'SELECT c.row_id FROM change c WHERE c."table" = ? AND c.op '
                               f'IN (\'insert\', \'append\') AND NOT EXISTS (SELECT 1 FROM '
                               f'"{table}" t WHERE t.id = c.row_id)', (table,)):
            tally.add(str(row_id))
        if tally.count:
            yield Problem("missing", f"{table}: {tally.text()}")


def sequences() -> Iterator[Problem]:
    """Each origin's change numbers are contiguous; this station's start at 1."""
    try:
        local = store.context().station_id
    except store.NoStationError:
        local = ""
    for origin, count, low, high in _rows(
            "SELECT origin, count(*), min(seq), max(seq) FROM change GROUP BY origin"):
        if count != high - low + 1 or (origin == local and low != 1):
            yield Problem("seq_gap", f"{origin}: {count} changes numbered {low}..{high}")


def reused_numbers() -> Iterator[Problem]:
    """Peers hold more of this station's change numbers than it does: the copy was
    restored or copied without taking a new identity, so its new numbers are reused."""
    from app.services.station import epoch

    try:
        local = store.context().station_id
    except store.NoStationError:
        return
    for peer, held, top in epoch.reused_numbers(local):
        yield Problem("seq_reused", f"{peer}: {held} > {top}")


def prefixes() -> Iterator[Problem]:
    """Two live stations of the community with one prefix issue the same case numbers."""
    from app.services.station import epoch

    for prefix, names in epoch.prefix_clashes():
        yield Problem("prefix_clash", f"{prefix}: {', '.join(names)}")


CHECKS: tuple[Callable[[], Iterator[Problem]], ...] = (
    integrity, foreign_keys, case_states, unlogged_rows, missing_rows, sequences,
    reused_numbers, prefixes)


def run(progress: Callable[[str, float], None] | None = None) -> list[Problem]:
    """Every check; an empty list means the database is sound."""
    problems: list[Problem] = []
    for i, check in enumerate(CHECKS):
        if progress:
            progress(check.__name__, i / len(CHECKS))
        if problems and problems[0].kind == "integrity":
            break  # a damaged file makes the other checks meaningless
        try:
            problems.extend(check())
        except Exception as exc:  # noqa: BLE001 - a damaged file can fail any query
            problems.append(Problem("error", f"{check.__name__}: {exc}"))
    if progress:
        progress("done", 1.0)
    return problems
