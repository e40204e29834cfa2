"""Whole-process measurements: wall time and peak RSS of one child, in a real terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The fixed clock every child runs at (the same as the test suite's).
NOW = "2026-11-25T10:00:00+08:00"


@dataclass
class Run:
    """One finished child: wall seconds, peak RSS in MiB, exit status and output."""

    seconds: float
    rss_mib: float
    status: int
    output: str
    cpu_seconds: float = 0.0
    spawned_at: float = 0.0  # wall clock (time.time()) just before the spawn


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    # an installed Mulin runs from bytecode: a child that may not write its .pyc files
    # compiles every module on every start (issue 16: ~0.1-0.5 s of a "start" figure)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update({"MULIN_NOW": NOW, "PYTHONPATH": str(ROOT), "TEXTUAL_ANIMATIONS": "none",
                "TERM": env.get("TERM", "xterm-256color") or "xterm-256color"})
    env.update(extra)
    return env


def _drain(fd: int, sink: list[bytes]) -> None:
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return
        if not chunk:
            return
        sink.append(chunk)


def own_peak_mib(pid: int) -> float:
    """The process's own resident high-water mark (``VmHWM``), 0 once it is gone.

    ``wait4``'s ``ru_maxrss`` is no use for it: Linux carries the parent's resident size
    across fork and exec into the child's, so after the suite itself held gigabytes (the
    plain-sqlite3 references) every child "peaked" at the suite's size."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def _wait(proc: subprocess.Popen[bytes], timeout: float) -> tuple[int, float, float]:
    """Reap the child with ``wait4``: its status, its own peak RSS (MiB, ``VmHWM`` polled
    while it runs), its CPU seconds."""
    deadline = time.monotonic() + timeout
    peak = 0.0
    while True:
        peak = max(peak, own_peak_mib(proc.pid))
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            break
        if time.monotonic() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = -9
            break
        time.sleep(0.002)
    return proc.returncode, peak, usage.ru_utime + usage.ru_stime


def run_in_terminal(argv: Sequence[str], env: dict[str, str], size: tuple[int, int] = (80, 24),
                    timeout: float = 120) -> Run:
    """Spawn ``argv`` attached to a pseudo-terminal of ``size`` and time it to its exit."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    out: list[bytes] = []
    reader = threading.Thread(target=_drain, args=(master, out), daemon=True)
    reader.start()
    spawned = time.time()
    started = time.perf_counter()
    proc = subprocess.Popen(list(argv), stdin=slave, stdout=slave, stderr=slave, env=env,
                            cwd=ROOT, start_new_session=True)
    os.close(slave)
    status, rss, cpu = _wait(proc, timeout)
    seconds = time.perf_counter() - started
    reader.join(timeout=2)
    os.close(master)
    return Run(seconds, rss, status, b"".join(out).decode("utf-8", "replace"), cpu, spawned)


def run_plain(argv: Sequence[str], env: dict[str, str], timeout: float = 1800) -> Run:
    """Spawn a command without a terminal (CLI commands), output captured."""
    started = time.perf_counter()
    proc = subprocess.Popen(list(argv), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env=env, cwd=ROOT)
    out: list[bytes] = []
    assert proc.stdout is not None
    reader = threading.Thread(target=_drain, args=(proc.stdout.fileno(), out), daemon=True)
    reader.start()
    status, rss, cpu = _wait(proc, timeout)
    seconds = time.perf_counter() - started
    reader.join(timeout=5)
    proc.stdout.close()
    return Run(seconds, rss, status, b"".join(out).decode("utf-8", "replace"), cpu)


def mulin(*args: str) -> list[str]:
    """The argv of a ``mulin`` command run by this interpreter."""
    return [sys.executable, "-m", "app", *args]
