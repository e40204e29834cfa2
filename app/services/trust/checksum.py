"""A backup's checksum, kept beside it and checked before a restore (issue 18).

Each backup ``X.sqlite3`` gets ``X.sqlite3.sha256`` in ``sha256sum`` format (so it can
be checked by hand too). A restore refuses a backup whose bytes no longer match — an
edited or damaged copy — and says when a backup has no checksum to check.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

SUFFIX = ".sha256"
_CHUNK = 1 << 20


def sidecar(path: Path) -> Path:
    return path.with_name(path.name + SUFFIX)


def digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def write(path: Path) -> Path:
    """Write ``path``'s checksum beside it (a temporary name, then renamed)."""
    target = sidecar(path)
    part = target.with_name(target.name + ".part")
    try:
        part.write_text(f"{digest(path)}  {path.name}\n", encoding="utf-8")
        os.replace(part, target)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return target


def verify(path: Path) -> bool | None:
    """True: matches; False: the file was changed; None: it has no checksum."""
    side = sidecar(path)
    if not side.is_file():
        return None
    try:
        expected = side.read_text(encoding="utf-8").split()[0]
    except (OSError, IndexError):
        return False
    return expected == digest(path)
