"""The command-line figures: ``mulin check`` and ``stats --digest`` at street scale, each
beside plain sqlite3 doing the same reading (issue 16: costs linear in rows)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from benchmarks import proc
from benchmarks.core import Figure, Target, guarded
from benchmarks.data import DB_NAME
from benchmarks.suite import Plan


def _plain_scan(db: Path) -> float:
    """The floor of a digest: plain sqlite3 reading every row of every table, by id."""
    started = time.perf_counter()
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
    for table in tables:
        columns = {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}
        order = " ORDER BY id" if "id" in columns else ""
        for _ in conn.execute(f'SELECT * FROM "{table}"{order}'):
            pass
    conn.close()
    return time.perf_counter() - started


def _plain_integrity(db: Path) -> float:
    started = time.perf_counter()
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.execute("PRAGMA integrity_check").fetchall()
    conn.close()
    return time.perf_counter() - started


def _cli_runs(args: list[str], runs: int, ok_codes: tuple[int, ...] = (0,)) -> list[proc.Run]:
    out = []
    for _ in range(runs):
        run = proc.run_plain(proc.mulin(*args), proc.child_env(), timeout=1200)
        if run.status not in ok_codes:
            raise RuntimeError(f"mulin {' '.join(args[2:])}: exit {run.status}: "
                               f"{run.output[-600:]}")
        out.append(run)
    return out


def cli(plan: Plan, street: Path) -> list[Figure]:
    db = street / DB_NAME

    def digest() -> list[Figure]:
        runs = _cli_runs(["--data-dir", str(street), "stats", "--digest"], plan.cli_runs)
        return [Figure("stats_digest", "`mulin stats --digest` at street scale", "s",
                       samples=[r.seconds for r in runs],
                       reference="plain sqlite3 reading every row",
                       reference_samples=[_plain_scan(db) for _ in range(plan.cli_runs)],
                       extra={"peak_rss_mib": max(r.rss_mib for r in runs)},
                       note="streams every digested table through one cursor; peak RSS "
                            "in extra")]

    def check() -> list[Figure]:
        n = max(1, plan.cli_runs - 1)
        runs = _cli_runs(["--data-dir", str(street), "check"], n, (0, 1))
        return [Figure("check", "`mulin check` at street scale", "s",
                       samples=[r.seconds for r in runs],
                       reference="plain sqlite3 PRAGMA integrity_check",
                       reference_samples=[_plain_integrity(db) for _ in range(n)],
                       target=Target("≤ 3× PRAGMA integrity_check", "median", "<=", 3.0),
                       extra={"peak_rss_mib": max(r.rss_mib for r in runs)},
                       note="integrity, foreign keys, case states (cases and events walked "
                            "side by side), log ↔ rows, sequences; every check streams "
                            f"(peak RSS {max(r.rss_mib for r in runs):.0f} MiB, target "
                            "≤ 200 MiB)")]

    return guarded("stats_digest", "mulin stats --digest", "s", digest) + \
        guarded("check", "mulin check", "s", check)
