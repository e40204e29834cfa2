"""The data sets the suite runs on, generated once and cached by generator version.

A data set is built with ``mulin demo`` (so the figure for its throughput is the CLI's own)
into ``benchmarks/.cache/<name>-<version>/`` and reused until any source that shapes its
content changes. Measurements run on a private copy of the cached station, never on it.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from benchmarks.proc import ROOT, child_env, mulin, run_plain

CACHE = Path(__file__).resolve().parent / ".cache"
SEED = 7
AS_OF = "2026-11-25"
#: Sources whose change changes a generated station (its content or its file layout).
SHAPING = ("fixtures/demo/*.py", "app/store.py", "app/hlc.py", "app/services/station/demo.py",
           "app/services/station/identity.py", "models/*.py")
DB_NAME = "mulin.sqlite3"


@dataclass
class DataSet:
    """A cached station: where it is, what it holds, and how fast it was generated."""

    name: str
    community: str
    template: Path  # the cached data dir (never written by a benchmark)
    rows: int
    seconds: float
    cached: bool
    cpu_seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def copy_to(self, work: Path) -> Path:
        """A private copy of the station's data dir for one benchmark: its database,
        never its backups (a daily backup left there would make every start of the run
        look like a later start of the day, and cost gigabytes of copying)."""
        if work.exists():
            shutil.rmtree(work)
        shutil.copytree(self.template, work, ignore=shutil.ignore_patterns("backups"))
        return work

    @property
    def db_bytes(self) -> int:
        return (self.template / DB_NAME).stat().st_size


def generator_version() -> str:
    """A short hash of every source that shapes a generated station."""
    h = hashlib.sha256()
    for pattern in SHAPING:
        for path in sorted(ROOT.glob(pattern)):
            h.update(path.relative_to(ROOT).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:12]


def _parse(output: str) -> tuple[int, float]:
    """Rows and seconds from ``mulin demo``'s closing line (its own throughput report)."""
    last = output.strip().splitlines()[-1] if output.strip() else ""
    numbers = [n.replace(",", "") for n in re.findall(r"\d[\d,]*(?:\.\d+)?", last)]
    if len(numbers) < 2:
        return 0, 0.0
    return int(numbers[0]), float(numbers[1])


def ensure(name: str, community: str, log: bool = True) -> DataSet:
    """The cached station for ``community``, generating it if its version changed."""
    version = generator_version()
    target = CACHE / f"{name}-{version}"
    meta = target / "bench.json"
    if meta.exists():
        info = json.loads(meta.read_text())
        return DataSet(name, community, target, info["rows"], info["seconds"], True,
                       info.get("cpu_seconds", 0.0))
    for stale in CACHE.glob(f"{name}-*"):
        shutil.rmtree(stale, ignore_errors=True)
    building = CACHE / f"{name}-{version}.building"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    if log:
        print(f"  generating the {community} demo into {building.relative_to(ROOT)} …",
              flush=True)
    run = run_plain(mulin("--lang", "en", "--data-dir", str(building), "demo", "--community",
                          community, "--seed", str(SEED), "--as-of", AS_OF),
                    child_env(), timeout=3600)
    if run.status != 0:
        raise RuntimeError(f"mulin demo failed ({run.status}): {run.output[-800:]}")
    rows, seconds = _parse(run.output.replace("\r", "\n"))
    seconds = seconds or run.seconds
    (building / "bench.json").write_text(json.dumps(
        {"rows": rows, "seconds": seconds, "process_seconds": run.seconds,
         "cpu_seconds": run.cpu_seconds,
         "community": community, "version": version,
         "output": run.output.replace("\r", "\n").strip().splitlines()[-1]}))
    building.rename(target)
    return DataSet(name, community, target, rows, seconds, False, run.cpu_seconds)


def existing(name: str, data_dir: Path) -> DataSet:
    """A station generated elsewhere (``--street DIR``): used as is, never regenerated.
    Its generation figures come from a ``bench.json`` beside it (``mulin demo``'s own
    report, as the cache keeps it), if one was written when it was generated."""
    conn = sqlite3.connect(f"file:{data_dir / DB_NAME}?mode=ro", uri=True)
    rows = conn.execute("SELECT count(*) FROM change").fetchone()[0]
    conn.close()
    meta = data_dir / "bench.json"
    info = json.loads(meta.read_text()) if meta.exists() else {}
    return DataSet(name, f"{name} (given: {data_dir})", data_dir.resolve(),
                   int(info.get("rows", rows)), float(info.get("seconds", 0.0)), True,
                   float(info.get("cpu_seconds", 0.0)))
