"""Derived caches (case state, search keys …) recomputed after writes that bypass a
service — chiefly bundle import. Services register a refresher per table; the sync
service calls :func:`refresh` with the ids each table had changed.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

Refresher = Callable[[set[str]], None]

#: Modules that register refreshers when imported.
MODULES: list[str] = [
    "app.services.cases.lifecycle",
    "app.services.search.index",
    "app.services.mediation.records",
]

_REFRESHERS: dict[str, list[Refresher]] = {}


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


_pass = 0


def current_pass() -> int:
    """Which :func:`refresh` is running (refreshers of two tables feeding one cache skip
    what the other already recomputed in the same pass)."""
    return _pass


def refresh(changed: dict[str, set[str]]) -> None:
    """Run every refresher for the tables in ``changed`` (table name -> row ids)."""
    global _pass
    _pass += 1
    for name in MODULES:
        importlib.import_module(name)
    skipped = _skipped()
    for table, ids in changed.items():
        for fn in _REFRESHERS.get(table, []):
            if ids and fn.__module__ not in skipped:
                fn(ids)


def tables() -> set[str]:
    """The tables that have a refresher (an import need remember only their ids)."""
    for name in MODULES:
        importlib.import_module(name)
    return set(_REFRESHERS)
