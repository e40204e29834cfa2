"""Backups of the hub are PostgreSQL's own (``pg_dump`` / ``pg_restore``).

Every hub has a street id (``mulin_hub.hub_meta``, made by ``mulin hub init``). A restore
reads the id out of the dump first and refuses a dump of another street over this one,
so one street's data never replaces another's by a mistyped file name.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path

from app.i18n import t
from app.services.hub import database as hubdb
from models.hub import HUB_SCHEMA, HubMeta

STREET_KEY = "street_id"


def pg_tool(name: str) -> str:
    """``pg_dump`` / ``pg_restore``: on PATH, else Debian's newest versioned directory."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(p.split("/")[4]))
    if not candidates:
        raise hubdb.HubError(t("hub.err.no_tool", tool=name))
    return candidates[-1]


def _run(args: list[str]) -> str:
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines() or ["?"]
        raise hubdb.HubError(t("hub.err.tool", tool=Path(args[0]).name, detail=lines[0]))
    return done.stdout


def street_id() -> str:
    row = HubMeta.get_or_none(HubMeta.id == STREET_KEY)
    return str(row.value) if row else ""


def dump(url: str, path: Path) -> Path:
    """``mulin hub backup FILE``: the whole hub in pg_dump's custom format."""
    part = path.with_name(path.name + ".part")
    _run([pg_tool("pg_dump"), "-Fc", "-d", url, "-f", str(part)])
    os.replace(part, path)
    return path


def street_of_dump(path: Path) -> str:
    """The street id inside a dump ('' when it holds no Mulin hub)."""
    if not path.is_file():
        raise hubdb.HubError(t("sync.err.cannot_read", path=str(path), detail="not found"))
    text = _run([pg_tool("pg_restore"), "-f", "-", "-a", "-n", HUB_SCHEMA, "-t", "hub_meta",
                 str(path)])
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and parts[0] == STREET_KEY:
            return parts[1]
    return ""


def restore(url: str, path: Path) -> str:
    """``mulin hub restore FILE``: replace this hub by a dump of the same street."""
    theirs = street_of_dump(path)
    if not theirs:
        raise hubdb.HubError(t("hub.err.not_hub_dump", path=str(path)))
    hubdb.connect(url)
    try:
        ours = street_id() if hubdb._version() is not None else ""
    finally:
        hubdb.close()
    if ours and ours != theirs:
        raise hubdb.HubError(t("hub.err.other_street", path=str(path)))
    _run([pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
          "--single-transaction", "-d", url, str(path)])
    _drop_unlisted(url)
    return theirs


def _drop_unlisted(url: str) -> None:
    """Community schemas joined after the dump was taken are not the restored hub's."""
    from models.db import db
    from models.pg import qualified

    hubdb.open_hub(url)
    try:
        listed = {c.schema_name for c in hubdb.communities()}
        found = [r[0] for r in db.execute_sql(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'c\\_%'").fetchall()]
        for schema in sorted(set(found) - listed):
            db.execute_sql(f"DROP SCHEMA {qualified(schema)} CASCADE")
    finally:
        hubdb.close()
