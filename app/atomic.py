"""Files written whole or not at all: a temporary name beside the target, renamed over
it only when complete (a reader, a crash or a full disk never leaves half a file)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


@contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A file open for writing at ``path.part``, synced and renamed over ``path`` when the
    block ends normally; the part is removed if it does not."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    try:
        with part.open("wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through ``path.part``; the part is removed on failure."""
    with atomic_file(path) as fh:
        fh.write(data)
