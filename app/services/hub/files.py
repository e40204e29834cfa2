"""Bundles by file at the hub: import, export, the sync folder, per-community stats.

Each bundle names its community in its plain header; the hub switches to that
community and hands the file to the stations' own importer
(:func:`app.services.sync.exchange.import_files`): validated fully first, applied in one
transaction, idempotent, gaps named. A bundle of a community the hub has not joined is
refused and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from app.i18n import t
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


def _joined(path: Path) -> HubCommunity:
    community_id = community_of(bundle.read_file(path))
    joined = hubdb.by_id(community_id)
    if joined is None:
        raise BundleError(t("hub.err.foreign", community=community_id[:8]))
    return joined


def refresh_name(community: HubCommunity) -> None:
    """Keep the registry's name equal to the community's own record once it arrived."""
    row = Community.get_or_none(Community.id == community.id)
    if row is not None:
        hubdb.remember_name(community, row.name)


def import_files(paths: Iterable[Path]) -> list[ImportResult]:
    """``mulin hub import FILE…``: each file into its own community, in the order given."""
    results: list[ImportResult] = []
    for path in paths:
        try:
            community = _joined(path)
        except BundleError as exc:
            results.append(ImportResult(str(path), "refused", reason=str(exc)))
            continue
        hubdb.activate(community)
        results += exchange.import_files([path])
        refresh_name(community)
    return results


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
