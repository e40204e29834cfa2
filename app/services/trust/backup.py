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
        removed.append(info.path)
    return removed


def _checkpoint() -> None:
    """Fold the WAL into the main file so the copy needs no WAL (best effort)."""
    try:
        db.execute_sql("PRAGMA wal_checkpoint(PASSIVE)")
    except Exception:  # noqa: BLE001 - a busy checkpoint only makes the copy slower
        pass


def copy_database(source: Path, target: Path) -> Path:
    """A consistent copy (SQLite backup API, same key), via ``.part`` then a rename."""
    part = target.with_name(target.name + ".part")
    target.parent.mkdir(parents=True, exist_ok=True)
    _checkpoint()
    src = dbmod.connect_file(source, db.cipher_key)
    try:
        dst = dbmod.connect_file(part, db.cipher_key)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    os.replace(part, target)
    return target


def make_backup(paths: Paths, reason: str = "manual", keep: int = DEFAULT_KEEP) -> Path:
    """A backup into the backups folder named by reason and time, then prune to ``keep``."""
    if not re.fullmatch(r"[a-z0-9]+", reason):
        raise BackupError(f"bad backup reason {reason!r}")
    stamp = clock.now().strftime("%Y%m%dT%H%M%S%f")
    target = paths.backups / f"{paths.database.stem}-{reason}-{stamp}.sqlite3"
    copy_database(paths.database, target)
    prune(paths, keep)
    return target


#: Free space an import wants on the data dir's disk (its rollback record, the WAL).
IMPORT_ROOM = 64 * 1024 * 1024


def before_import(paths: Paths, keep: int = DEFAULT_KEEP) -> None:
    """The check before applying bundles: the disk has room. Copies and prunes nothing.

    The import itself is the protection: it records how to take itself back in the same
    transaction (``app.services.sync.undo``). ``keep`` is accepted for callers' sake.
    """
    del keep
    free = shutil.disk_usage(paths.data_dir if paths.data_dir.exists() else Path.cwd()).free
    if free < IMPORT_ROOM:
        raise BackupError(f"{paths.data_dir}: only {free // (1024 * 1024)} MiB free")


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


def inspect(file: Path) -> BackupFacts:
    """Read a backup's identity, refusing a corrupt or foreign file with a clear reason."""
    if not file.is_file():
        raise BackupError(f"{file}: no such file")
    try:
        conn = dbmod.connect_file(file, db.cipher_key)
    except Exception as exc:
        raise BackupError(f"{file}: cannot be opened ({exc})") from exc
    try:
        try:
            result = conn.execute("PRAGMA integrity_check").fetchall()
        except Exception as exc:
            raise BackupError(f"{file}: not a Mulin backup, corrupt, or encrypted with "
                              "another passphrase") from exc
        if [r[0] for r in result] != ["ok"]:
            raise BackupError(f"{file}: the file is corrupt ({result[0][0]})")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"change", "local_state", "station", "community"} <= tables:
            raise BackupError(f"{file}: not a Mulin database")
        schema = int(conn.execute("PRAGMA user_version").fetchone()[0])
        return BackupFacts(_local(conn, "community_id"), _local(conn, "station_id"), schema)
    finally:
        conn.close()


def restore(paths: Paths, file: Path) -> Path:
    """Replace this station's data with a backup; returns the safety backup taken first.

    Refused: a corrupt file, a file from another community or another station, a file
    from a newer Mulin. The current data is backed up before it is replaced.
    """
    facts = inspect(file)
    if facts.schema > SCHEMA_VERSION:
        raise BackupError(f"{file}: written by a newer Mulin (schema {facts.schema})")
    try:
        ctx: store.StationContext | None = store.context()
    except store.NoStationError:
        ctx = None
    if ctx is not None and facts.community_id != ctx.community_id:
        raise BackupError(f"{file}: this backup belongs to another community; "
                          "it cannot be restored here")
    if ctx is not None and facts.station_id != ctx.station_id:
        raise BackupError(f"{file}: this backup is of another station of the community; "
                          "restore it into an empty data directory instead")
    safety = make_backup(paths, "prerestore", keep=max(DEFAULT_KEEP, len(list_backups(paths)) + 1))
    _copy_into_live(file)
    return safety


def _copy_into_live(file: Path) -> None:
    """SQLite's backup API from ``file`` into the open database: one atomic replacement."""
    src = dbmod.connect_file(file, db.cipher_key)
    try:
        db.connect(reuse_if_open=True)
        src.backup(db.connection())
    finally:
        src.close()
    db.close()

