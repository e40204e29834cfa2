"""Convergence (sync contract 6) as a property: random offline work on three stations,
random exchange schedules with duplicated, reordered and dropped bundles, then a final
exchange → identical digests, and every value lost to a concurrent write is a conflict.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import store
from app.hlc import stamp_key
from app.services.cases import lifecycle as cases
from models.places import Resident
from models.sync import Change, Conflict
from tests.sync_support import Net, seed_content

STATIONS = ("desk", "lap1", "lap2")
PREFIX = {"desk": "DK", "lap1": "LA", "lap2": "LB"}
CASE_ACTIONS = ("escalated", "deescalated", "responded", "cancelled")

station_ix = st.integers(0, len(STATIONS) - 1)
op = st.one_of(
    st.tuples(st.just("edit"), station_ix, st.integers(0, 3), st.sampled_from(["name", "phone"])),
    st.tuples(st.just("move"), station_ix, st.integers(0, 3), st.integers(0, 2)),
    st.tuples(st.just("delete"), station_ix, st.integers(0, 3)),
    st.tuples(st.just("event"), station_ix, st.integers(0, 1), st.sampled_from(CASE_ACTIONS)),
    st.tuples(st.just("export"), station_ix),
    st.tuples(st.just("deliver"), st.integers(0, 30), station_ix),
)


class World:
    def __init__(self, root: Path) -> None:
        self.net = Net(root)
        self.root = root
        self.bundles: list[Path] = []
        self.counter = 0
        self.net.add("desk", "DK")
        self.ids = seed_content()
        seed = self.net.export("desk", root / "seed.mulin", full=True)
        for name in STATIONS[1:]:
            self.net.add(name, PREFIX[name])
            assert self.net.import_(name, seed)[0].status == "applied"

    def run(self, step: tuple[Any, ...]) -> None:
        kind, who = step[0], STATIONS[step[1]] if step[0] != "deliver" else STATIONS[step[2]]
        self.net.use(who)
        getattr(self, f"_{kind}")(*step[1:])

    def _edit(self, _s: int, r: int, field: str) -> None:
        self.counter += 1
        value = f"{self.net.current}-{self.counter}"  # unique: a lost value is unambiguous
        with store.write() as tx:
            tx.update(Resident, self.ids["residents"][r], **{field: value})

    def _move(self, _s: int, r: int, h: int) -> None:
        with store.write() as tx:
            tx.update(Resident, self.ids["residents"][r], household=self.ids["households"][h])

    def _delete(self, _s: int, r: int) -> None:
        with store.write() as tx:
            tx.delete(Resident, self.ids["residents"][r])

    def _event(self, _s: int, c: int, action: str) -> None:
        try:
            cases.act(self.ids["cases"][c], action, note="同步测试")
        except cases.CaseRefused:
            pass  # not allowed in this state here: nothing written

    def _export(self, _s: int) -> None:
        path = self.root / f"b{len(self.bundles)}.mulin"
        self.net.export(self.net.current or "", path)
        self.bundles.append(path)

    def _deliver(self, b: int, _s: int) -> None:
        if self.bundles:
            self.net.import_(self.net.current or "", self.bundles[b % len(self.bundles)])

    def settle(self) -> None:
        """Everyone exports and reads everything, a few rounds (a final meeting)."""
        for _ in range(3):
            fresh = [self.net.export(n, self.root / f"final-{n}-{self.counter}.mulin")
                     for n in STATIONS]
            self.counter += 1
            for name in STATIONS:
                results = self.net.import_(name, *fresh)
                assert all(r.status != "refused" for r in results), [r.text() for r in results]


def _lost_writes() -> set[tuple[str, str]]:
    """(field, stamp) of resident name/phone writes that no later write saw and that
    are not the final value: the values a concurrent write overwrote."""
    writes: dict[tuple[str, str], list[tuple[str, Any, dict[str, str]]]] = {}
    for c in Change.select().where((Change.table == "resident") & (Change.op == "update")):
        for name, value in json.loads(c.data).items():
            if name in ("name", "phone"):
                writes.setdefault((c.row_id, name), []).append(
                    (stamp_key(c.hlc, c.origin), value, json.loads(c.base or "{}")))
    lost: set[tuple[str, str]] = set()
    for (_row, name), ws in writes.items():
        seen = {b.get(name, b.get("*", "")) for _s, _v, b in ws}
        winner = max(s for s, _v, _b in ws)
        lost |= {(name, s) for s, _v, _b in ws if s != winner and s not in seen}
    return lost


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(op, min_size=5, max_size=30))
def test_stations_converge_and_keep_every_lost_value(steps: list[tuple[Any, ...]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        world = World(Path(tmp))
        for step in steps:
            world.run(step)
        world.settle()
        digests = {name: world.net.digest(name) for name in STATIONS}
        assert len(set(digests.values())) == 1, digests
        for name in STATIONS:
            world.net.use(name)
            lost = _lost_writes()
            kept = {(c.field, c.loser_stamp) for c in Conflict.select()}
            assert lost <= kept, (name, lost - kept)
        store.activate(None)
