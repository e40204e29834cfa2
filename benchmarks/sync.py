"""Sync figures: export and import of a full street bundle and of one day's work.

Driven through the ``mulin`` commands the sync issue specifies (``key export``,
``init --join``, ``export [--full]``, ``import``), each as a whole process, next to the floor
for any importer: plain ``sqlite3`` inserting the same rows (content and change log) into
an empty copy of the schema in one transaction. The full import's peak RSS is the
import process's own high-water mark (``VmHWM``, polled: see :func:`benchmarks.proc.own_peak_mib`).
One day's import is timed on :data:`DAYS` days in a row at street scale, and the same
days at Hubin scale are its reference (issue 16: ≤ 1 s, and ≤ 2× Hubin).
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
import time
from pathlib import Path

from benchmarks import proc
from benchmarks.core import Figure, Target, unavailable
from benchmarks.data import DB_NAME, DataSet

DAY_CHANGES = 300
#: Days of work imported one after the other (each a fresh import: a sample each).
DAYS = 3
PASSPHRASE = "bench-passphrase"
PLAIN = "plain sqlite3, same rows, one transaction"
TITLES = {
    "sync_export_full": "Export a full street bundle",
    "sync_import_full": "Import a full street bundle (records/s)",
    "sync_import_full_rss": "Import a full street bundle: peak RSS of the process",
    "sync_reimport_full": "Re-import the same full bundle",
    "sync_bundle_full": "Full bundle size vs database file",
    "sync_export_day": "Export one day's work (≈300 changes)",
    "sync_import_day": "Import one day's work at street scale (whole process)",
    "sync_import_day_vs_hubin": "Import one day's work: street vs Hubin scale",
    "sync_bundle_day": "One day's bundle size vs the full bundle",
}
TARGETS = {
    "sync_import_full": Target("≥ 25% of plain sqlite3's insert rate", "median", ">=", 0.25),
    "sync_import_full_rss": Target("≤ 300 MiB", "max", "<=", 300.0, kind="absolute"),
    "sync_reimport_full": Target("≥ 10× faster than the first import", "median", ">=", 10.0),
    "sync_import_day": Target("≤ 1 s", "median", "<=", 1.0, kind="absolute"),
    "sync_import_day_vs_hubin": Target("≤ 2× the same day at Hubin scale", "median", "<=",
                                       2.0),
    "sync_bundle_day": Target("≤ 1% of the full bundle", "median", "<=", 0.01),
}


def available(commands: set[str]) -> bool:
    from benchmarks.suite import _has

    return _has("app.services.sync") and {"export", "import"} <= commands


def not_yet(why: str) -> list[Figure]:
    return [unavailable(k, t, "", why, TARGETS.get(k)) for k, t in TITLES.items()]


class TooSlow(RuntimeError):
    """A sync command outran its time limit (its rate is then at most records/limit)."""

    def __init__(self, message: str, seconds: float) -> None:
        super().__init__(message)
        self.seconds = seconds


#: No single sync command may take longer than this (the whole suite aims at ~20 minutes).
STEP_TIMEOUT = 600
#: The full import may take this many times plain sqlite3's time before it is stopped.
SLOWEST = 8


def _mulin(data_dir: Path, *args: str, timeout: float = STEP_TIMEOUT) -> proc.Run:
    run = proc.run_plain(proc.mulin("--data-dir", str(data_dir), *args),
                         proc.child_env(MULIN_PASSPHRASE=PASSPHRASE, MULIN_OPERATOR="管理员",
                                        MULIN_PIN="0000"),  # the demo's admin signs in
                         timeout=timeout)
    if run.status == -9:
        raise TooSlow(f"mulin {' '.join(args[:2])}: still running after {timeout:.0f} s, "
                      "stopped", timeout)
    if run.status != 0:
        raise RuntimeError(f"mulin {' '.join(args)}: exit {run.status}: {run.output[-600:]}")
    return run


def _mulin_peak(data_dir: Path, *args: str, timeout: float) -> tuple[float, float]:
    """(seconds, own peak RSS in MiB) of one ``mulin`` command, its memory polled."""
    import subprocess

    env = proc.child_env(MULIN_PASSPHRASE=PASSPHRASE, MULIN_OPERATOR="管理员",
                         MULIN_PIN="0000")
    started = time.perf_counter()
    child = subprocess.Popen(proc.mulin("--data-dir", str(data_dir), *args), env=env,
                             cwd=proc.ROOT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
    peak = 0.0
    while child.poll() is None:
        peak = max(peak, proc.own_peak_mib(child.pid))
        if time.perf_counter() - started > timeout:
            child.kill()
            child.wait()
            raise TooSlow(f"mulin {' '.join(args[:2])}: still running after {timeout:.0f} s, "
                          "stopped", timeout)
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    error = child.stderr.read().decode("utf-8", "replace") if child.stderr else ""
    if child.returncode != 0:
        raise RuntimeError(f"mulin {' '.join(args)}: exit {child.returncode}: {error[-600:]}")
    return seconds, peak


def _changes(db: Path, after: int = 0) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    n = conn.execute("SELECT count(*) FROM change WHERE rowid > ?", (after,)).fetchone()[0]
    conn.close()
    return int(n)


def _last_rowid(db: Path) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    n = conn.execute("SELECT coalesce(max(rowid), 0) FROM change").fetchone()[0]
    conn.close()
    return int(n)


def plain_insert(source: Path, work: Path, after: int = 0) -> tuple[float, int]:
    """Seconds for plain sqlite3 to insert the rows of ``source``'s changes after ``after``.

    The rows are the change-log rows and the content rows they touch, inserted into an empty
    database with the same schema and indexes, in one transaction (reading is not timed).
    """
    target = work / "plain.sqlite3"
    target.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target, isolation_level=None)
    dst.execute("PRAGMA journal_mode=wal")
    dst.execute("PRAGMA synchronous=normal")
    for (sql,) in src.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL "
                              "AND name NOT LIKE 'sqlite_%' ORDER BY type DESC"):
        dst.execute(sql)
    tables = [r[0] for r in src.execute("SELECT DISTINCT \"table\" FROM change WHERE rowid > ?",
                                        (after,))]
    seconds, rows = 0.0, 0
    dst.execute("BEGIN")
    for table in [*tables, "change"]:
        if table == "change":
            batch = src.execute("SELECT * FROM change WHERE rowid > ?", (after,)).fetchall()
        elif after:
            batch = src.execute(f'SELECT * FROM "{table}" WHERE id IN (SELECT row_id FROM '
                                f'change WHERE rowid > ? AND "table" = ?)',
                                (after, table)).fetchall()
        else:
            batch = src.execute(f'SELECT * FROM "{table}"').fetchall()
        if not batch:
            continue
        marks = ", ".join("?" for _ in batch[0])
        started = time.perf_counter()
        dst.executemany(f'INSERT OR REPLACE INTO "{table}" VALUES ({marks})', batch)
        seconds += time.perf_counter() - started
        rows += len(batch)
        del batch
    started = time.perf_counter()
    dst.execute("COMMIT")
    seconds += time.perf_counter() - started
    src.close()
    dst.close()
    target.unlink(missing_ok=True)
    return seconds, rows


def _join(src: Path, dst: Path, work: Path) -> None:
    """A second, empty station of ``src``'s community at ``dst``."""
    key = work / "community.key"
    key.unlink(missing_ok=True)
    shutil.rmtree(dst, ignore_errors=True)
    _mulin(src, "key", "export", str(key))
    try:
        _mulin(dst, "init", "--join", str(key), "--station", "bench", "--prefix", "BK")
    except RuntimeError:
        _mulin(dst, "init", "--join", str(key))


def _answer(src: Path, dst: Path, work: Path) -> None:
    """The joined station answers (untimed): its bundle tells the source what it now
    holds, so that the source's next export carries only what is new."""
    answer = work / "answer.bundle"
    answer.unlink(missing_ok=True)
    _mulin(dst, "export", str(answer))
    _mulin(src, "import", str(answer))


def _day_work(*args: str) -> None:
    run = proc.run_plain([sys.executable, "-m", "benchmarks.day_work", *args],
                         proc.child_env())
    if run.status != 0:
        raise RuntimeError(f"day_work: exit {run.status}: {run.output[-600:]}")


def days(src: Path, dst: Path, work: Path, n: int = DAYS) -> list[dict[str, float]]:
    """``n`` days in a row: a day's work at ``src`` (about :data:`DAY_CHANGES` changes),
    its bundle exported, imported at ``dst`` (timed, whole processes), answered. ``dst``
    first builds its search index (untimed), as a desk in use has one to keep current."""
    _day_work(str(dst), "index")
    out = []
    for day in range(n):
        mark = _last_rowid(src / DB_NAME)
        _day_work(str(src), str(DAY_CHANGES), str(day))
        bundle = work / f"day{day}.bundle"
        bundle.unlink(missing_ok=True)
        export = _mulin(src, "export", str(bundle)).seconds
        seconds, peak = _mulin_peak(dst, "import", str(bundle), timeout=STEP_TIMEOUT)
        plain_s, _rows = plain_insert(src / DB_NAME, work, mark)
        out.append({"records": _changes(src / DB_NAME, mark), "export": export,
                    "import": seconds, "rss": peak, "plain": plain_s,
                    "bytes": bundle.stat().st_size})
        _answer(src, dst, work)
    return out


def hubin_days(hubin: DataSet, work: Path) -> list[dict[str, float]]:
    """The same days at Hubin scale (the reference of the street's one-day import)."""
    src, dst = hubin.copy_to(work / "hubin-source"), work / "hubin-joined"
    _join(src, dst, work)
    full = work / "hubin-full.bundle"
    full.unlink(missing_ok=True)
    _mulin(src, "export", "--full", str(full))
    _mulin(dst, "import", str(full))
    _answer(src, dst, work)
    return days(src, dst, work)


def measure(street: DataSet, work: Path, hubin: DataSet | None = None) -> list[Figure]:
    """Seed a second station from a full bundle, then send it a few days' work; the same
    days at Hubin scale are the reference for the one-day import."""
    src, dst = street.copy_to(work / "source"), work / "joined"
    full = work / "full.bundle"
    full.unlink(missing_ok=True)
    _join(src, dst, work)
    records = _changes(src / DB_NAME)
    export = _mulin(src, "export", "--full", str(full)).seconds
    plain_s, plain_rows = plain_insert(src / DB_NAME, work)
    try:  # on a loaded machine plain sqlite3 alone took 400 s: stopped below 1/8 of it
        first, first_rss = _mulin_peak(dst, "import", str(full),
                                       timeout=max(STEP_TIMEOUT, SLOWEST * plain_s))
    except TooSlow as exc:
        return _unfinished(street, records, export, plain_s, plain_rows, full, exc)
    again = _mulin(dst, "import", str(full)).seconds
    _answer(src, dst, work)
    street_days = days(src, dst, work)
    small = hubin_days(hubin, work / "hubin") if hubin is not None else []
    full_size = full.stat().st_size
    rate, plain_rate = records / first, records / plain_s
    day_records = [d["records"] for d in street_days]
    out = [
        Figure("sync_export_full", TITLES["sync_export_full"], "records/s",
               samples=[records / export], reference=PLAIN, reference_samples=[plain_rate],
               extra={"records": records, "seconds": export}),
        Figure("sync_import_full", TITLES["sync_import_full"], "records/s", samples=[rate],
               reference=PLAIN, reference_samples=[plain_rate], target=TARGETS[
                   "sync_import_full"], extra={"records": records, "seconds": first,
                                               "plain_seconds": plain_s,
                                               "plain_rows": plain_rows,
                                               "peak_rss_mib": first_rss}),
        Figure("sync_import_full_rss", TITLES["sync_import_full_rss"], "MiB",
               samples=[first_rss], target=TARGETS["sync_import_full_rss"],
               extra={"records": records, "bundle_mib": full.stat().st_size / 2**20}),
        Figure("sync_reimport_full", TITLES["sync_reimport_full"], "records/s",
               samples=[records / again], reference="the first import",
               reference_samples=[rate], target=TARGETS["sync_reimport_full"],
               extra={"seconds": again}),
        Figure("sync_bundle_full", TITLES["sync_bundle_full"], "MiB",
               samples=[full_size / 2**20], reference="database file",
               reference_samples=[street.db_bytes / 2**20]),
        Figure("sync_export_day", TITLES["sync_export_day"], "s",
               samples=[d["export"] for d in street_days], reference=PLAIN,
               reference_samples=[d["plain"] for d in street_days],
               extra={"records": day_records}),
        Figure("sync_import_day", TITLES["sync_import_day"], "s",
               samples=[d["import"] for d in street_days], target=TARGETS["sync_import_day"],
               reference="the same days at Hubin scale" if small else "",
               reference_samples=[d["import"] for d in small],
               extra={"records": day_records, "plain_seconds": [d["plain"] for d in
                                                                  street_days],
                      "peak_rss_mib": [d["rss"] for d in street_days]}),
        Figure("sync_bundle_day", TITLES["sync_bundle_day"], "KiB",
               samples=[street_days[0]["bytes"] / 1024], reference="the full bundle",
               reference_samples=[full_size / 1024], target=TARGETS["sync_bundle_day"]),
    ]
    if small:
        out.append(Figure(
            "sync_import_day_vs_hubin", TITLES["sync_import_day_vs_hubin"], "s",
            samples=[d["import"] for d in street_days], reference="the same days at Hubin scale",
            reference_samples=[d["import"] for d in small],
            target=TARGETS["sync_import_day_vs_hubin"],
            extra={"hubin_records": [d["records"] for d in small]}))
    return out


def _unfinished(street: DataSet, records: int, export: float, plain_s: float, plain_rows: int,
                full: Path, exc: TooSlow) -> list[Figure]:
    """The full import outran its limit: its rate is at most records / limit; what needs
    the imported station (re-import, one day's import) cannot be measured."""
    from benchmarks.core import ERROR

    plain_rate = records / plain_s
    why = f"not measured: the full import did not finish in {exc.seconds:.0f} s"
    out = [
        Figure("sync_export_full", TITLES["sync_export_full"], "records/s",
               samples=[records / export], reference=PLAIN, reference_samples=[plain_rate],
               extra={"records": records, "seconds": export}),
        Figure("sync_import_full", TITLES["sync_import_full"], "records/s",
               samples=[records / exc.seconds], reference=PLAIN,
               reference_samples=[plain_rate], target=TARGETS["sync_import_full"],
               note=f"stopped after {exc.seconds:.0f} s: the rate shown is an upper bound",
               extra={"records": records, "plain_seconds": plain_s,
                      "plain_rows": plain_rows}),
        Figure("sync_bundle_full", TITLES["sync_bundle_full"], "MiB",
               samples=[full.stat().st_size / 2**20], reference="database file",
               reference_samples=[street.db_bytes / 2**20]),
    ]
    for key in ("sync_import_full_rss", "sync_reimport_full", "sync_export_day",
                "sync_import_day", "sync_bundle_day", "sync_import_day_vs_hubin"):
        out.append(Figure(key, TITLES[key], "", status=ERROR, note=why, target=TARGETS.get(key)))
    return out
