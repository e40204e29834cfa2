"""One day's work at a desk, for the sync figures: ``python -m benchmarks.day_work DIR N [DAY]``
(``DIR index``: build the search index first, untimed).

About ``N`` changes through the stamped write path: residents' phones corrected, visits
recorded, household tags edited — each logged as a Change, as any service would.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path


def work(data_dir: Path, changes: int, day: int = 0) -> int:
    from benchmarks.opening import open_env

    open_env(data_dir)
    return write(changes, day=day)


def write(changes: int, offset: int = 0, day: int = 0) -> int:
    """The day's changes in the active station (or the hub's active community); ``offset``
    picks other residents (another desk's day), ``day`` other values (so that every day
    changes them again)."""
    from app import clock, store
    from models.places import Household, Resident
    from models.visits import Visit

    third = max(1, changes // 3)
    residents = list(Resident.select(Resident.id, Resident.household).order_by(Resident.id)
                     .offset(offset + day * third * 2).limit(third * 2))
    households = [r.household_id for r in residents[:third]]
    now = clock.now()
    with store.write("bench") as tx:
        for i, r in enumerate(residents[:third]):
            tx.update(Resident, r.id, phone=f"139{day % 100:02d}{i:06d}")
        for i, r in enumerate(residents[third:third * 2]):
            tx.append(Visit, household=r.household_id, resident=r.id, visitor_name="网格员",
                      visited_at=now - timedelta(minutes=i), kind="care", findings="一切正常")
        for i, h in enumerate(households[: changes - 2 * third]):
            tx.update(Household, h, tags=f"走访{day}-{i}")
    return changes


def index(data_dir: Path) -> int:
    """Build the search index, as a desk's first search does (the days are then imported
    into a station whose index is current, as on a real desk)."""
    from app.services.search import index as search_index
    from benchmarks.opening import open_env

    open_env(data_dir)
    search_index.ensure_current()
    return 0


if __name__ == "__main__":
    if sys.argv[2] == "index":
        print(index(Path(sys.argv[1])))
    else:
        print(work(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3
                   else 0))
