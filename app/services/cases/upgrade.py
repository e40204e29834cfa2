"""Cached case columns brought up to the state machine this copy runs.

A case's cached columns (state, level, handler, due …) are the fold of its events
(:mod:`app.services.cases.machine`), and they are part of the content digest. When a
rule of the machine changes what some events add up to, every copy — station or hub —
recomputes the cases holding such events once, when it is opened, so copies that hold
the same events keep printing the same digest.
"""

from __future__ import annotations

from peewee import OperationalError

from models.cases import CaseEvent
from models.db import db
from models.sync import LocalState

KEY = "case_machine_rules"
#: rules version -> event kinds whose cases that version's change affects.
RULES: dict[int, tuple[str, ...]] = {
    2: ("escalated", "deescalated"),  # a change of level takes the case from its handler
}
CURRENT = max(RULES)


def bring_up_to_date() -> int:
    """Recompute the cases the rules changed since this copy last did; how many."""
    row = LocalState.get_or_none(LocalState.id == KEY)
    have = int(row.value) if row else 1
    if have >= CURRENT:
        return 0
    from app.services.cases import cache  # only when behind: the deadline rules cost start-up

    kinds = sorted({k for version, ks in RULES.items() if version > have for k in ks})
    query = CaseEvent.select(CaseEvent.case).where(CaseEvent.kind.in_(kinds)).distinct()
    try:
        with db.atomic():
            done = cache.refresh_derived_cache(row.case_id for row in query)
            LocalState.replace(id=KEY, value=str(CURRENT)).execute()
    except OperationalError:  # the database is busy (a sync writing): the next open does it
        return 0
    return done


def mark_current() -> None:
    """A new copy (station or hub community) computes every case by the current rules."""
    LocalState.replace(id=KEY, value=str(CURRENT)).execute()
