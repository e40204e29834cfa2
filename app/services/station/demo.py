"""Filling a station with a demo community (the generator lives in ``fixtures.demo``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app import store
from app.i18n import t
from app.services.search import index as search_index
from app.services.station import identity as station
from fixtures import demo
from fixtures.demo import COMMUNITIES, Progress
from models.places import Community
from models.sync import Change

__all__ = ["COMMUNITIES", "DemoError", "DemoSummary", "fill"]

#: The demo station opened by ``mulin --demo`` and ``make run``.
DEFAULT_COMMUNITY, DEFAULT_SEED = "dongting", 7


class DemoError(ValueError):
    """The demo cannot be generated here."""


@dataclass
class DemoSummary:
    community: str
    rows: int
    finished: bool = False  # a build cut short before was finished (issue 18)


def _prefix(key: str) -> str:
    return "ST" if key == "street" else demo.PROFILES[key].prefix


def fill(key: str, seed: int, as_of: date, progress: Progress | None = None) -> DemoSummary:
    """Generate a demo community into the open database, making a station if needed."""
    if key not in COMMUNITIES:
        raise DemoError(t("faults.demo.unknown", key=key, choices=", ".join(COMMUNITIES)))
    if Community.select().exists():
        if not unfinished(key, seed):
            raise DemoError(t("faults.demo.has_community"))
        search_index.rebuild(progress)  # killed after its data, before its index/operators
        return DemoSummary(key, 0, finished=True)
    try:
        store.context()
    except store.NoStationError:
        station.create_station("演示站", _prefix(key), demo.community_id(key, seed))
    before = Change.select().count()
    demo.generate(key, seed, as_of, progress)
    rows = Change.select().count() - before
    search_index.rebuild(progress)  # the first search is then instant
    return DemoSummary(key, rows)


def unfinished(key: str = DEFAULT_COMMUNITY, seed: int = DEFAULT_SEED) -> bool:
    """This demo station's build was cut short: its data is in, its operators (the
    last step) are not."""
    from app.services.trust.operators import has_operators

    try:
        ours = store.context().community_id == demo.community_id(key, seed)
    except store.NoStationError:
        return False
    return ours and Community.select().exists() and not has_operators()


def is_empty() -> bool:
    return not Community.select().exists()
