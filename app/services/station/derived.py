"""Derived caches (case state, search keys …) recomputed after writes that bypass a
service — chiefly bundle import. Services register a refresher per table; the sync
service calls :func:`refresh` with the ids each table had changed.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Set

Refresher = Callable[[set[str]], None]
#: A refresher of several tables at once: called once with each table's changed ids.
GroupRefresher = Callable[[dict[str, set[str]]], None]

#: Modules that register refreshers when imported.
MODULES: list[str] = [
    "app.services.cases.lifecycle",
    "app.services.search.index",
    "app.services.mediation.records",
]

_REFRESHERS: dict[str, list[Refresher]] = {}
_GROUPS: list[tuple[tuple[str, ...], GroupRefresher]] = []


def _skipped() -> frozenset[str]:
    """Modules whose caches the open database does not keep (the street hub has no
    search index): its ``skip_caches`` attribute, empty for a station."""
    from models.db import db

    return frozenset(getattr(db.obj, "skip_caches", ()))


def register(table: str) -> Callable[[Refresher], Refresher]:
    """Decorator: call ``fn(ids)`` when rows of ``table`` changed outside their service."""

    def wrap(fn: Refresher) -> Refresher:
        _REFRESHERS.setdefault(table, []).append(fn)
        return fn

    return wrap


def register_tables(*tables: str) -> Callable[[GroupRefresher], GroupRefresher]:
    """Decorator: call ``fn(changed)`` once when rows of any of ``tables`` changed (one
    cache fed by several tables, e.g. a case and its events, is recomputed once).

    The first table holds the cache: when every row of any of them is to be refreshed,
    ``fn`` is called with chunks of all the first table's ids instead.
    """

    def wrap(fn: GroupRefresher) -> GroupRefresher:
        _GROUPS.append((tables, fn))
        return fn

    return wrap


#: Ids handed to a refresher at a time when every row of a table is refreshed.
CHUNK = 5_000


def refresh(changed: dict[str, set[str]], every: Set[str] = frozenset()) -> None:
    """Run every refresher for the tables in ``changed`` (table name -> row ids), and
    for every row of the tables in ``every`` (an import too large to list its ids)."""
    for name in MODULES:
        importlib.import_module(name)
    skipped = _skipped()
    for table in every:
        for chunk in all_ids(table):
            for fn in _REFRESHERS.get(table, []):
                if fn.__module__ not in skipped:
                    fn(chunk)
    for table, ids in changed.items():
        for fn in _REFRESHERS.get(table, []):
            if ids and table not in every and fn.__module__ not in skipped:
                fn(ids)
    for group, group_fn in _GROUPS:
        if group_fn.__module__ in skipped:
            continue
        if every & set(group):
            for chunk in all_ids(group[0]):
                group_fn({group[0]: chunk})
            continue
        some = {table: changed[table] for table in group if changed.get(table)}
        if some:
            group_fn(some)


def all_ids(table: str) -> Iterator[set[str]]:
    """Every id of ``table``, :data:`CHUNK` at a time (key order; never all at once)."""
    from models.db import db

    last = ""
    while True:
        rows = db.execute_sql(f'SELECT id FROM "{table}" WHERE id > ? ORDER BY id LIMIT ?',
                              (last, CHUNK)).fetchall()
        if not rows:
            return
        last = rows[-1][0]
        yield {r[0] for r in rows}


def tables() -> set[str]:
    """The tables that have a refresher (an import need remember only their ids)."""
    for name in MODULES:
        importlib.import_module(name)
    return set(_REFRESHERS).union(*(group for group, _fn in _GROUPS))
