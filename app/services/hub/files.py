"""Bundles by file at the hub: import, export, the sync folder, per-community stats.

Each bundle names its community in its plain header; the hub switches to that
community and hands the file to the stations' own importer
(:func:`app.services.sync.exchange.import_files`): validated fully first, applied in one
transaction, idempotent, gaps named. A bundle of a community the hub has not joined is
refused and changes nothing. Bundles of several communities are applied side by side,
one worker process per community (each its own schema, transactions and advisory lock).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from app import store
from app.i18n import lang, set_lang, t
from app.services.hub import database as hubdb
from app.services.hub.database import HubError
from app.services.station import stats
from app.services.sync import bundle, exchange
from app.services.sync.bundle import BundleError
from app.services.sync.exchange import ExportResult, ImportResult
from models.hub import HubCommunity
from models.places import Community


def community_of(raw: bytes) -> str:
    """The community id a bundle's plain header names (raises :class:`BundleError`)."""
    return bundle.read_header(raw).community


def _community_of_file(path: Path) -> str:
    """The community a bundle file names, reading only its header."""
    try:
        return bundle.read_header_file(path).community
    except OSError:  # unreadable: let the whole-file reader say why
        return community_of(bundle.read_file(path))


def _joined(path: Path) -> HubCommunity:
    community_id = _community_of_file(path)
    joined = hubdb.by_id(community_id)
    if joined is None:
        raise BundleError(t("hub.err.foreign", community=community_id[:8]))
    return joined


#: Bundles of several communities totalling less than this are applied one after the
#: other: a worker process (a fresh interpreter importing the app, ≈1 s of CPU) costs
#: more than it saves (a demo community's full bundle is 3-7 MB, a street community's
#: ≈25 MB).
SIDE_BY_SIDE_BYTES = 16 << 20


def refresh_name(community: HubCommunity) -> None:
    """Keep the registry's name equal to the community's own record once it arrived."""
    row = Community.get_or_none(Community.id == community.id)
    if row is not None:
        hubdb.remember_name(community, row.name)


def import_files(paths: Iterable[Path], workers: int | None = None) -> list[ImportResult]:
    """``mulin hub import FILE…``: each file into its own community.

    A community's bundles are applied in the order given, each as the stations' importer
    applies it (checked fully first, one transaction, idempotent; a refusal changes
    nothing). Bundles of different communities are independent (their own schema and
    transactions), so several communities' large bundles (:data:`SIDE_BY_SIDE_BYTES`) are
    applied side by side, one worker process per community at a time (at most
    ``workers``, default the machine's cores). A bundle that fails is reported on its own
    line and the others go on.
    """
    results: dict[int, list[ImportResult]] = {}
    groups: dict[str, tuple[HubCommunity, list[tuple[int, Path]]]] = {}
    for n, path in enumerate(paths):
        try:
            community = _joined(path)
        except BundleError as exc:
            results[n] = [ImportResult(str(path), "refused", reason=str(exc))]
            continue
        groups.setdefault(community.id, (community, []))[1].append((n, path))
    count = min(len(groups), workers or os.cpu_count() or 1)
    if count > 1 and _size(groups.values()) >= SIDE_BY_SIDE_BYTES:
        results.update(_side_by_side(list(groups.values()), count))
    else:
        for community, items in groups.values():
            results.update(_import_group(community, items))
    return [r for n in sorted(results) for r in results[n]]


def _size(groups: Iterable[tuple[HubCommunity, list[tuple[int, Path]]]]) -> int:
    return sum(path.stat().st_size for _c, items in groups for _n, path in items)


def _import_group(community: HubCommunity, items: list[tuple[int, Path]]
                  ) -> dict[int, list[ImportResult]]:
    """One community's bundles, in order (in this process)."""
    out: dict[int, list[ImportResult]] = {}
    for n, path in items:
        hubdb.activate(community)
        try:
            out[n] = exchange.import_files([path])
        except Exception as exc:  # rolled back: reported, the other bundles go on
            detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            out[n] = [ImportResult(str(path), "refused",
                                   reason=t("hub.err.import_failed", detail=detail))]
        refresh_name(community)
    return out


def _side_by_side(groups: list[tuple[HubCommunity, list[tuple[int, Path]]]], count: int
                  ) -> dict[int, list[ImportResult]]:
    """Each community's bundles in a worker process of their own (``spawn``)."""
    out: dict[int, list[ImportResult]] = {}
    with ProcessPoolExecutor(max_workers=count, mp_context=get_context("spawn"),
                             initializer=_worker_start, initargs=(hubdb.url(), lang())
                             ) as pool:
        futures = [(pool.submit(_worker_import, community.id, items), items)
                   for community, items in groups]
        for future, items in futures:
            try:
                out.update(future.result())
            except BrokenProcessPool:  # killed, out of memory: its transaction is gone
                for n, path in items:
                    out.setdefault(n, [ImportResult(str(path), "refused",
                                                    reason=t("hub.net.worker_died"))])
    return out


def _worker_start(db_url: str, language: str) -> None:
    """A worker process: the hub's database (checked by the parent), its language."""
    set_lang(language)
    hubdb.connect(db_url)


def _worker_import(community_id: str, items: list[tuple[int, Path]]
                   ) -> dict[int, list[ImportResult]]:
    community = hubdb.by_id(community_id)
    assert community is not None  # the parent found it joined
    try:
        return _import_group(community, items)
    finally:
        store.activate(None)


def export(community: HubCommunity, path: Path, full: bool = False) -> ExportResult:
    """``mulin hub export --community NAME FILE``: what that community's peers lack."""
    hubdb.activate(community)
    return exchange.export_bundle(path, full)


@dataclass
class FolderResult:
    community: str
    imports: list[ImportResult]
    exported: ExportResult | None


def _by_community(folder: Path) -> dict[str, list[Path]]:
    groups: dict[str, list[Path]] = {}
    for path in sorted(folder.glob(f"*{bundle.SUFFIX}")):
        try:
            groups.setdefault(community_of(bundle.read_file(path)), []).append(path)
        except BundleError:
            continue  # not a bundle, or damaged: a station's import will say so
    return groups


def sync_folder(folder: Path) -> list[FolderResult]:
    """``mulin hub sync DIR``: for every joined community, import its new bundles from DIR
    and leave the hub's bundle for it there (as ``mulin sync DIR`` does on a station)."""
    folder.mkdir(parents=True, exist_ok=True)
    groups = _by_community(folder)
    out: list[FolderResult] = []
    for community in hubdb.communities():
        hubdb.activate(community)
        mine = folder / exchange.own_file_name()
        others = [p for p in groups.get(community.id, []) if p.name != mine.name]
        imports = exchange.import_files(others)
        refresh_name(community)
        exported = None
        if not mine.exists() or not exchange._same_plan(mine, *exchange._plan(False)):
            exported = exchange.export_bundle(mine)
        out.append(FolderResult(community.name, imports, exported))
    return out


def digest(community: HubCommunity) -> str:
    """``mulin hub stats --community NAME --digest``: the stations' own digest."""
    hubdb.activate(community)
    return stats.digest()


def counts(community: HubCommunity) -> dict[str, int]:
    hubdb.activate(community)
    return stats.counts()


__all__ = ["FolderResult", "HubError", "counts", "digest", "export", "import_files",
           "sync_folder"]
