"""Backups: automatic (before migrations, daily), on demand, and restore.

An import is not preceded by a copy any more: it writes its own rollback record in its
transaction (``app.services.sync.undo``; ``mulin undo-import``), so its protection costs
what the import changes, not the size of the station. :func:`before_import` is only a
cheap check that never copies and never rotates a backup out. The daily backup runs
in a background thread after the first screen is drawn (:func:`daily_in_background`).

Backups live in ``<data dir>/backups`` as whole SQLite files copied with SQLite's
backup API (consistent even while another process writes), written to a ``.part``
file and renamed, so a killed backup never leaves a half file under a real name. An
encrypted station's backups are encrypted with the same passphrase. The newest
``keep`` automatic backups are kept (``backup_keep`` in settings.toml, default 10).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from app import clock, store
from app.config import Paths
from app.i18n import t
from app.services.trust import checksum
from models import db as dbmod
from models.db import db
from models.schema import SCHEMA_VERSION

DEFAULT_KEEP = 10
_NAME = re.compile(r"^(?P<stem>.+)-(?P<reason>[a-z0-9]+)-(?P<stamp>\d{8}T\d{12})\.sqlite3$")


class BackupError(ValueError):
    """A backup cannot be made or restored; the message says why."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    reason: str
    stamp: str


def list_backups(paths: Paths) -> list[BackupInfo]:
    """Automatic and named backups in the backups folder, oldest first."""
    if not paths.backups.is_dir():
        return []
    out = []
    for p in paths.backups.iterdir():
        m = _NAME.match(p.name)
        if m:
            out.append(BackupInfo(p, m["reason"], m["stamp"]))
    return sorted(out, key=lambda b: b.stamp)


def prune(paths: Paths, keep: int = DEFAULT_KEEP) -> list[Path]:
    """Delete all but the newest ``keep`` backups (and stale ``.part`` files)."""
    removed = []
    if paths.backups.is_dir():
        for part in paths.backups.glob("*.part"):
            part.unlink(missing_ok=True)
    for info in list_backups(paths)[:-keep] if keep > 0 else []:
        info.path.unlink(missing_ok=True)
        checksum.sidecar(info.path).unlink(missing_ok=True)
        removed.append(info.path)
    return removed


def _checkpoint() -> None:
    """Fold the WAL into the main file so the copy needs no WAL (best effort)."""
    try:
        db.execute_sql("PRAGMA wal_checkpoint(PASSIVE)")
    except Exception:  # noqa: BLE001 - a busy checkpoint only makes the copy slower
        pass


def copy_database(source: Path, target: Path, key: str | None = None,
                  live: bool = True) -> Path:
    """A consistent copy (SQLite backup API, same key), via ``.part`` then a rename."""
    part = target.with_name(target.name + ".part")
    target.parent.mkdir(parents=True, exist_ok=True)
    if live:
        _checkpoint()
    key = key or db.cipher_key
    try:
        src = dbmod.connect_file(source, key)
        try:
            dst = dbmod.connect_file(part, key)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
        os.replace(part, target)
        checksum.write(target)  # restore refuses an edited copy (issue 18)
    except BaseException:
        _remove_part(part)  # a full disk leaves nothing behind (issue 18)
        raise
    return target


def _remove_part(part: Path) -> None:
    for leftover in (part, part.with_name(part.name + "-journal")):
        try:
            leftover.unlink(missing_ok=True)
        except OSError:
            pass


def make_backup(paths: Paths, reason: str = "manual", keep: int = DEFAULT_KEEP) -> Path:
    """A backup into the backups folder named by reason and time, then prune to ``keep``."""
    if not re.fullmatch(r"[a-z0-9]+", reason):
        raise BackupError(f"bad backup reason {reason!r}")
    stamp = clock.now().strftime("%Y%m%dT%H%M%S%f")
    target = paths.backups / f"{paths.database.stem}-{reason}-{stamp}.sqlite3"
    copy_database(paths.database, target)
    prune(paths, keep)
    return target


#: Free space an import wants on the data dir's disk before it starts (its rollback
#: record and the WAL of a day's work); a larger import that fills the disk is rolled
#: back whole and reported as a full disk.
IMPORT_ROOM = 4 * 1024 * 1024


def before_import(paths: Paths, keep: int = DEFAULT_KEEP) -> None:
    """The check before applying bundles: the disk has room. Copies and prunes nothing.

    The import itself is the protection: it records how to take itself back in the same
    transaction (``app.services.sync.undo``). ``keep`` is accepted for callers' sake.
    """
    del keep
    free = shutil.disk_usage(paths.data_dir if paths.data_dir.exists() else Path.cwd()).free
    if free < IMPORT_ROOM:
        raise BackupError(t("sync.import_no_room", path=str(paths.data_dir),
                              mib=free // (1024 * 1024), need=IMPORT_ROOM // (1024 * 1024)))


def before_import_here(keep: int = DEFAULT_KEEP) -> None:
    """:func:`before_import` for the open station (the TUI's import, in a worker)."""
    from contextlib import nullcontext

    with db.connection_context() if db.is_closed() else nullcontext():
        paths = Paths(Path(str(db.database)).parent)
        before_import(paths, keep)


def _local_day(stamp: str) -> date:
    at = datetime.strptime(stamp, "%Y%m%dT%H%M%S%f").replace(tzinfo=UTC)
    return clock.local(at).date()


def daily(paths: Paths, keep: int = DEFAULT_KEEP) -> Path | None:
    """On the first start of a (local) day, take a backup; None if today's exists."""
    today = clock.today()
    if any(b.reason == "daily" and _local_day(b.stamp) == today for b in list_backups(paths)):
        return None
    if not paths.database.exists():
        return None
    return make_backup(paths, "daily", keep)


def daily_in_background(paths: Paths, keep: int = DEFAULT_KEEP,
                        on_error: Callable[[Exception], None] | None = None
                        ) -> threading.Thread:
    """Start :func:`daily` in its own thread (own connection); the caller goes on at once.

    The thread is not a daemon: a desk closed during the copy waits for it to finish
    rather than leave a ``.part`` behind.
    """

    def run() -> None:
        try:
            with db.connection_context():
                daily(paths, keep)
        except Exception as exc:  # noqa: BLE001 - reported, never raised into the desk
            if on_error:
                on_error(exc)

    thread = threading.Thread(target=run, name="mulin-daily-backup")
    thread.start()
    return thread


def backup_to(paths: Paths, target: Path) -> Path:
    """``mulin backup FILE``: a consistent copy at ``target`` (atomic, never half-written)."""
    target = target.expanduser()
    if target.exists() and target.is_dir():
        target = target / f"mulin-{clock.now().strftime('%Y%m%dT%H%M%S')}.sqlite3"
    return copy_database(paths.database, target)


# --- restore ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupFacts:
    """What a backup file says about itself."""

    community_id: str
    station_id: str
    schema: int


def _local(conn: Any, key: str) -> str:
    import json

    row = conn.execute("SELECT value FROM local_state WHERE id = ?", (key,)).fetchone()
    return str(json.loads(row[0])) if row else ""


def inspect(file: Path, key: str | None = None) -> BackupFacts:
    """Read a backup's identity, refusing a corrupt or foreign file with a clear reason."""
    if not file.is_file():
        raise BackupError(t("faults.backup.no_file", file=str(file)))
    if checksum.verify(file) is False:
        raise BackupError(t("faults.backup.altered", file=str(file)))
    try:
        conn = dbmod.connect_file(file, key or db.cipher_key)
    except Exception as exc:
        raise BackupError(t("faults.backup.cannot_open", file=str(file), detail=exc)) from exc
    try:
        try:
            result = conn.execute("PRAGMA integrity_check").fetchall()
        except Exception as exc:
            raise BackupError(t("faults.backup.unreadable", file=str(file))) from exc
        if [r[0] for r in result] != ["ok"]:
            raise BackupError(t("faults.backup.corrupt", file=str(file), detail=result[0][0]))
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"change", "local_state", "station", "community"} <= tables:
            raise BackupError(t("faults.backup.not_mulin", file=str(file)))
        schema = int(conn.execute("PRAGMA user_version").fetchone()[0])
        return BackupFacts(_local(conn, "community_id"), _local(conn, "station_id"), schema)
    finally:
        conn.close()


def restore(paths: Paths, file: Path, key: str | None = None) -> Path | None:
    """Replace this station's data with a backup; returns the safety backup taken first.

    Refused: an edited, corrupt or foreign file, a file of another station of the
    community, a file from a newer Mulin. Into a folder without a station (``key``: the
    backup's passphrase, if encrypted) the backup becomes a new station (None returned).
    """
    from app.services.trust import operators, permissions

    if db.database and not db.is_closed():
        permissions.require("backup.restore", operators.current_role())
    facts = inspect(file, key)
    if facts.schema > SCHEMA_VERSION:
        raise BackupError(t("faults.backup.newer", file=str(file), schema=facts.schema))
    try:
        ctx: store.StationContext | None = store.context()
    except store.NoStationError:
        ctx = None
    if ctx is None:
        _restore_into_empty(paths, file, key)
        _rebirth(paths, retire=False, known=[])
        return None
    if facts.community_id != ctx.community_id:
        raise BackupError(t("faults.backup.other_community", file=str(file)))
    if facts.station_id not in (ctx.station_id, *_previous_ids()):
        raise BackupError(t("faults.backup.other_station", file=str(file)))
    safety = make_backup(paths, "prerestore", keep=max(DEFAULT_KEEP, len(list_backups(paths)) + 1))
    known = [ctx.station_id, *_previous_ids()]
    _copy_into_live(file)
    _rebirth(paths, retire=True, known=known)
    return safety


def _restore_into_empty(paths: Paths, file: Path, key: str | None) -> None:
    """No station here: the (empty) database file is replaced by a copy of the backup,
    encrypted with the backup's own passphrase if it has one."""
    db.close()
    store.activate(None)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{paths.database}{suffix}").unlink(missing_ok=True)
    if key:
        dbmod.set_key(key)
    copy_database(file, paths.database, key=key, live=False)
    checksum.sidecar(paths.database).unlink(missing_ok=True)


def _previous_ids() -> list[str]:
    from app.services.station import epoch

    return epoch.previous_ids()


def _rebirth(paths: Paths, retire: bool, known: list[str]) -> None:
    """The restored copy counts its changes under a new station id (issue 18): the
    numbers given out after the backup are held by peers and must never be reused.
    Restored in place, the old id is retired; into an empty folder (the original may
    still be in use) the copy simply becomes one more station."""
    from app.services.station import epoch
    from app.services.station import identity as station

    if station.open_station(paths) is not None:
        epoch.new_identity(retire=retire, known=known)


def _copy_into_live(file: Path) -> None:
    """SQLite's backup API from ``file`` into the open database: one atomic replacement."""
    src = dbmod.connect_file(file, db.cipher_key)
    try:
        db.connect(reuse_if_open=True)
        src.backup(db.connection())
    finally:
        src.close()
    db.close()

