"""Helpers for the fault suite (issue 18): another process holding the write lock."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

_HOLD = """
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
c.execute("PRAGMA journal_mode=wal")
c.execute("BEGIN IMMEDIATE")
print("ready", flush=True)
time.sleep(float(sys.argv[2]))
c.execute("COMMIT")
"""


def hold_write_lock(database: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process takes the database's write lock for ``seconds`` (like an import)."""
    proc = subprocess.Popen([sys.executable, "-c", _HOLD, str(database), str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


async def wait_for(pilot: object, condition: Callable[[], bool], seconds: float) -> bool:
    """Let the app run until ``condition()`` holds (True) or ``seconds`` pass (False)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        await pilot.pause(0.2)  # type: ignore[attr-defined]
    return condition()
