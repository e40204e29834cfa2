"""Export, import and the sync folder.

**What a bundle carries.** For each origin station ``o`` the export sends the changes
above ``L[o]``, the lowest seq that every peer this station has heard from acknowledged
holding (``--full``: from 1). A bundle that is lost, or not yet read, is therefore sent
again in the next one until its receiver acknowledges it; duplicates are harmless.
The header says what the receiver must already hold (``requires = L``); a receiver
that holds less says which station and range it is missing and applies nothing of that
bundle (it records who sent it, so the sender's next bundle fills the gap).

**Import** authenticates every chunk of the file first (:mod:`~app.services.sync.bundle`),
then applies it in one transaction, checking each record as it streams in (a bad one
rolls everything back): the changes, the derived caches, the peer's acknowledgements and
the bundle's id (so the same bundle twice changes nothing the second time).
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app import clock, store
from app.i18n import t
from app.services.station import derived, epoch
from app.services.station import identity as station_service
from app.services.sync import bundle, duplicates, keys, peers, poison, undo
from app.services.sync.bundle import Bundle, BundleError
from app.services.sync.merge import Merger, have_vector
from app.services.sync.peers import SKEW_SETTING as SKEW_SETTING
from app.services.sync.peers import SkewWarning
from app.services.sync.peers import clock_warnings as clock_warnings
from app.services.sync.peers import station_names as station_names
from app.services.sync.peers import tolerance_minutes as tolerance_minutes
from models.db import db
from models.sync import (
    HeldBundle,
    Peer,
    ReceivedBundle,
    Station,
)

Progress = Callable[[str, float], None]


@dataclass
class Missing:
    """A range of changes from one origin station that this station lacks."""

    origin: str
    station: str
    first: int
    last: int

    def text(self) -> str:
        return t("sync.missing", station=self.station, first=self.first, last=self.last)


@dataclass
class ImportResult:
    """What importing one bundle file did."""

    path: str
    status: str  # applied, already, blocked, own, refused
    source: str = ""
    reason: str = ""
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: int = 0
    missing: list[Missing] = field(default_factory=list)
    skew: list[SkewWarning] = field(default_factory=list)
    duplicates: int = 0
    moved_to: str = ""  # a poisoned bundle, moved aside (issue 18)
    renumbered: str = ""  # this station's new case-number prefix after a clash (issue 18)

    def text(self) -> str:
        name = Path(self.path).name
        if self.status == "refused":
            text = t("sync.import.refused", file=name, reason=self.reason)
            return text + (t("faults.poison.moved", path=self.moved_to) if self.moved_to
                           else "")
        if self.status != "applied":
            return t(f"sync.import.{self.status}", file=name, source=self.source)
        text = t("sync.import.applied", file=name, source=self.source, new=self.new,
                 updated=self.updated, unchanged=self.unchanged, conflicts=self.conflicts)
        return text + (t("faults.prefix_renumbered", prefix=self.renumbered)
                       if self.renumbered else "")


@dataclass
class ExportResult:
    path: str
    changes: int
    origins: int
    written: bool = True


@dataclass
class SyncResult:
    exported: ExportResult | None
    imports: list[ImportResult]


# -- shared facts ----------------------------------------------------------------------
def _community() -> str:
    return store.context().community_id


def _plan(full: bool, peer: str = "") -> tuple[dict[str, int], dict[str, int]]:
    """(have, requires): what this station holds and what the receiver must hold.

    ``peer``: the bundle goes to that one known station only (the hub over HTTP), so
    what it acknowledged is enough; otherwise the lowest of every peer's."""
    have = have_vector()
    if full:
        return have, {o: 0 for o in have}
    gone = epoch.retired()  # a restored station's old id never acknowledges again
    rows = [p for p in Peer.select() if p.id not in gone]
    if peer and any(p.id == peer for p in rows):
        rows = [p for p in rows if p.id == peer]
    acks = [json.loads(p.acks) for p in rows]
    low = {o: min([a.get(o, 0) for a in acks], default=0) for o in have}
    return have, {o: min(low[o], have[o]) for o in have}


# -- export ----------------------------------------------------------------------------
_COLUMNS = 'id, origin, seq, hlc, "table", row_id, op, data, operator, base'


def _changes_above(requires: dict[str, int], have: dict[str, int]) -> Iterator[dict[str, Any]]:
    """Every change above ``requires`` (up to ``have``), in stamp order, one at a time.

    One range read per origin on its ``(origin, seq)`` index, merged by stamp: an origin's
    seq order is its stamp order (each write stamps above every change held, under the
    write lock; a bundle's reader checks it). A single ``ORDER BY hlc`` over all origins
    walked the whole ``hlc`` index instead (1.3 s for a day's 300 changes at street
    scale: a cost of the station's size, not of the work)."""
    wanted = [(o, requires[o], have[o]) for o in sorted(have) if have[o] > requires[o]]
    streams = [_origin_rows(*w) for w in wanted]
    merged = streams[0] if len(streams) == 1 else heapq.merge(
        *streams, key=lambda row: (row[3], row[1]))
    for cid, org, seq, hlc, table, row_id, op, data, operator, base in merged:
        yield {"id": cid, "origin": org, "seq": seq, "hlc": hlc, "table": table,
               "row_id": row_id, "op": op, "data": json.loads(data),
               "operator": operator or "", "base": base or ""}


def _origin_rows(origin: str, above: int, top: int) -> Iterator[tuple[Any, ...]]:
    """``origin``'s changes with ``above < seq <= top``, in seq order."""
    yield from db.execute_sql(
        f"SELECT {_COLUMNS} FROM change WHERE origin = ? AND seq > ? AND seq <= ? "
        "ORDER BY seq", (origin, above, top))


def _header(have: dict[str, int], requires: dict[str, int], count: int) -> dict[str, Any]:
    ctx = store.context()
    me = Station.get_by_id(ctx.station_id)
    coverage = {o: [requires[o] + 1, have[o]] for o in have if have[o] > requires[o]}
    return {"community": ctx.community_id, "key_id": keys.key_id(keys.load_key()),
            "source": ctx.station_id, "source_name": f"{me.name} ({me.prefix})",
            "bundle_id": store.new_id(),
            "created_at": clock.to_storage(clock.now()).isoformat(sep=" "),
            "coverage": coverage, "requires": requires, "acks": have, "count": count,
            "peers": {p.id: json.loads(p.acks) for p in Peer.select()}}


def build(full: bool = False, progress: Progress | None = None,
          peer: str = "") -> tuple[bytes, ExportResult]:
    """The bytes of this station's outgoing bundle and what it holds (``peer``: planned
    for that station alone, see :func:`_plan`)."""
    have, requires = _plan(full, peer)
    count = sum(have[o] - requires[o] for o in have)
    if progress:
        progress(t("sync.progress.sealing"), 0.1)
    header = _header(have, requires, count)
    data = bundle.encode(header, _changes_above(requires, have), keys.load_key())
    return data, ExportResult("", count, len(header["coverage"]))


def export_bundle(path: Path, full: bool = False,
                  progress: Progress | None = None) -> ExportResult:
    """``mulin export FILE``: write what the peers are not known to have (streamed to
    the file chunk by chunk: a full street bundle is never held in memory)."""
    with db.connection_context():
        have, requires = _plan(full)
        count = sum(have[o] - requires[o] for o in have)
        if progress:
            progress(t("sync.progress.sealing"), 0.1)
        header = _header(have, requires, count)
        bundle.write_file(path, header, _changes_above(requires, have), keys.load_key())
        _mark_exported()
    if progress:
        progress(t("sync.progress.done"), 1.0)
    return ExportResult(str(path), count, len(header["coverage"]))


def _mark_exported() -> None:
    own = have_vector().get(store.context().station_id, 0)
    with store.immediate():
        station_service.mark_exported(own)


# -- import ----------------------------------------------------------------------------
Source = Path | bytes  # a bundle file, or a held bundle's bytes


def read(path: Path) -> Bundle:
    """Read and check a bundle file completely (nothing is written)."""
    b = _open(path)
    b.check()
    return b


def _open(source: Source) -> Bundle:
    """A bundle whose header, community and key are checked (nothing is written)."""
    try:
        key = keys.load_key()
    except keys.SyncKeyError as exc:
        raise BundleError(str(exc)) from exc
    return bundle.open_bundle(source, key, _community())


def _missing(b: Bundle, have: dict[str, int]) -> list[Missing]:
    names = peers.station_names() | {b.header.source: b.header.source_name}
    return [Missing(o, peers.display_name(o, names), have.get(o, 0) + 1, need)
            for o, need in sorted(b.header.requires.items()) if have.get(o, 0) < need]


def _apply(b: Bundle, result: ImportResult, progress: Progress | None,
           recorder: undo.Recorder | None) -> None:
    total = max(1, b.header.count)

    def step(done: int) -> None:
        if progress:
            progress(t("sync.progress.applying"), 0.2 + 0.7 * done / total)

    kept = derived.tables() | {"resident"}  # the caches' tables, and duplicates' residents
    stats = Merger(step, recorder, kept).apply(b.changes())
    derived.refresh(stats.changed, stats.every)
    result.new, result.updated = stats.new, stats.updated
    result.unchanged, result.conflicts = stats.unchanged, stats.conflicts
    result.skew = peers.skew_warnings(b)
    if result.skew:
        peers.remember_skew(result.skew)
    result.duplicates = len(duplicates.all_pairs() if "resident" in stats.every
                            else duplicates.find(stats.changed.get("resident", set())))
    ReceivedBundle.insert(id=b.header.bundle_id, source=b.header.source,
                          created_at=peers.stamp_time(b.header.created_at),
                          imported_at=clock.to_storage(clock.now()),
                          changes=b.header.count).execute()
    if recorder is not None:
        recorder.finish(b.header.source_name, result.path, b.header.count)


#: Rows added by one import above which the planner statistics are refreshed.
LARGE_IMPORT = 10_000
#: Rows SQLite's ANALYZE samples per index after a large import.
ANALYSIS_LIMIT = 2_000


def import_bundle(path: Path, progress: Progress | None = None) -> ImportResult:
    """Import one bundle file; a refusal raises :class:`BundleError` and writes nothing."""
    with db.connection_context():
        return _import(path, str(path), progress)


def _import(source: Source, label: str, progress: Progress | None) -> ImportResult:
    """Every chunk is authenticated before anything is written (a bundle altered, cut
    short or reordered is refused here); its records are then checked as they are applied
    inside one transaction, which a bad record rolls back whole."""
    b = _open(source)
    b.authenticate()
    h = b.header
    result = ImportResult(label, "applied", source=h.source_name)
    if h.source == store.context().station_id:
        result.status = "own"
        return result
    if ReceivedBundle.get_or_none(ReceivedBundle.id == h.bundle_id):
        result.status = "already"
        return result
    with store.immediate():  # waits while another process writes (issue 18)
        # the rollback record (instead of a backup); the hub is backed up by pg_dump
        recorder = undo.Recorder(h.bundle_id) if undo.supported() else None
        peers.record_peer(b)
        result.missing = _missing(b, have_vector())
        if result.missing:
            b.check()  # a bundle is held only once every record is known good
            result.status = "blocked"
            if not HeldBundle.get_or_none(HeldBundle.id == h.bundle_id):
                content = source if isinstance(source, bytes) else bundle.read_file(source)
                HeldBundle.insert(id=h.bundle_id, source=h.source, content=content,
                                  received_at=clock.to_storage(clock.now())).execute()
            return result
        with poison.as_refusal():  # data that cannot be applied refuses the bundle
            _apply(b, result, progress, recorder)
        HeldBundle.delete().where(HeldBundle.id == h.bundle_id).execute()
    if result.new > LARGE_IMPORT:
        # A station grown by a big bundle needs fresh planner statistics, or SQLite picks
        # poor indexes for the lists (benchmarks/ANALYSIS.md). On SQLite from a sample
        # of each index (a full ANALYZE reads the whole street database again).
        if undo.supported():
            db.execute_sql(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
        db.execute_sql("ANALYZE")
    if progress:
        progress(t("sync.progress.done"), 1.0)
    return result


def _retry_held(progress: Progress | None) -> list[ImportResult]:
    """Apply the held bundles whose gap is now filled (repeatedly: one may free another)."""
    applied: list[ImportResult] = []
    with db.connection_context():
        while True:
            done = [r for r in (_held_once(row, progress) for row in
                                HeldBundle.select().order_by(HeldBundle.received_at))
                    if r.status == "applied"]
            applied += done
            if not done:
                return applied


def _held_once(row: HeldBundle, progress: Progress | None) -> ImportResult:
    label = t("sync.held_label", source=row.source[:8])
    try:
        result = _import(bytes(row.content), label, progress)
    except BundleError as exc:  # e.g. the community key changed since: drop it
        HeldBundle.delete().where(HeldBundle.id == row.id).execute()
        return ImportResult(label, "refused", reason=str(exc))
    if result.status in ("already", "own"):
        HeldBundle.delete().where(HeldBundle.id == row.id).execute()
    return result


def import_files(paths: Iterable[Path], progress: Progress | None = None) -> list[ImportResult]:
    """Import bundles in any order: a bundle that arrives before the changes it builds on
    is held and applied as soon as they arrive (in this run or a later one)."""
    results = [_try(path, progress) for path in paths]
    if any(r.status == "applied" for r in results):
        results += _retry_held(progress)
        _renumber(results)
    return results


def _renumber(results: list[ImportResult]) -> None:
    """Learnt of an earlier station with our prefix: take a new one, and say so."""
    with db.connection_context():
        renamed = epoch.renumber_on_clash()
    if renamed:
        [r for r in results if r.status == "applied"][-1].renumbered = renamed[1]


def _try(path: Path, progress: Progress | None) -> ImportResult:
    try:
        return import_bundle(path, progress)
    except poison.PoisonBundle as exc:  # moved aside: never blocks the folder again
        moved = poison.quarantine(path)
        return ImportResult(str(path), "refused", reason=str(exc),
                            moved_to=str(moved) if moved else "")
    except BundleError as exc:
        return ImportResult(str(path), "refused", reason=str(exc))


# -- the sync folder -------------------------------------------------------------------
def own_file_name() -> str:
    ctx = store.context()
    return f"mulin-{ctx.prefix}-{ctx.station_id[:8]}{bundle.SUFFIX}"


def _same_plan(path: Path, have: dict[str, int], requires: dict[str, int]) -> bool:
    """True when the bundle already in the folder says exactly what a new one would."""
    try:
        header = bundle.read_header_file(path)
    except BundleError:
        return False
    coverage = {o: [requires[o] + 1, have[o]] for o in have if have[o] > requires[o]}
    return (header.acks == have and header.requires == requires
            and dict(header.coverage) == coverage)


def sync_folder(folder: Path, progress: Progress | None = None) -> SyncResult:
    """``mulin sync DIR``: import every new bundle in DIR, then leave ours there."""
    folder.mkdir(parents=True, exist_ok=True)
    mine = folder / own_file_name()
    others = sorted(p for p in folder.glob(f"*{bundle.SUFFIX}") if p.name != mine.name)
    imports = import_files(others, progress)
    with db.connection_context():
        have, requires = _plan(False)
        if mine.exists() and _same_plan(mine, have, requires):
            return SyncResult(ExportResult(str(mine), 0, 0, written=False), imports)
    exported = export_bundle(mine, progress=progress)
    return SyncResult(exported, imports)
