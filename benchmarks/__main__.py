"""``make bench``: measure Mulin at street scale and write RESULTS.md and results.json.

    python -m benchmarks                  # the full street (≈ 20 minutes on 2 cores)
    python -m benchmarks --scale tiny     # the smoke run the test suite uses
    python -m benchmarks --only start,ui  # some groups only

Data sets are generated once into ``benchmarks/.cache/`` and reused until the generator
changes; each run measures private copies of them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.core import Figure, guarded
from benchmarks.data import DataSet
from benchmarks.proc import NOW

os.environ["MULIN_NOW"] = NOW  # before any app module reads the clock
os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

GROUPS = ("demo", "start", "rss", "ui", "search", "cli", "sync", "hub")
HERE = Path(__file__).resolve().parent
CAVEAT = ("Measured on a shared 2-core machine while other work ran on it: absolute "
          "numbers are noisy; the ratios to references measured in the same run are the "
          "figures to read.")


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scale", choices=("full", "tiny"), default="full")
    p.add_argument("--out", type=Path, default=HERE, help="where RESULTS.md goes")
    p.add_argument("--only", default=",".join(GROUPS), help=f"groups: {','.join(GROUPS)}")
    p.add_argument("--caveat", default=CAVEAT, help="a line on the conditions of this run")
    p.add_argument("--rewrite", action="store_true",
                   help="only re-render RESULTS.md from results.json (after editing ANALYSIS.md)")
    p.add_argument("--street", type=Path, help="use this street station dir as is")
    p.add_argument("--dongting", type=Path, help="use this dongting station dir as is")
    return p.parse_args(argv)


def log(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", flush=True)


def compiled() -> None:
    """Mulin's byte code written, as ``pip install`` of a wheel does: an editable install
    under ``PYTHONDONTWRITEBYTECODE`` (this machine's environment) would otherwise compile
    every changed module at every start, while the bare app's Textual is compiled."""
    import compileall

    for package in ("app", "models", "screens", "fixtures"):
        compileall.compile_dir(str(HERE.parent / package), quiet=1)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    from benchmarks import data, report, suite

    if args.rewrite:
        report.rewrite(args.out, HERE / "ANALYSIS.md")
        return 0

    groups = {g.strip() for g in args.only.split(",") if g.strip()}
    plan = suite.Plan.of(args.scale)
    compiled()
    started, load_start = time.perf_counter(), os.getloadavg()
    meta = {"started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "scale": plan.scale,
            "machine": report.machine(), "versions": report.versions(), "load_start":
            load_start, "caveat": args.caveat}
    log(f"scale {plan.scale}; data sets …")
    if plan.scale == "tiny":
        street = dongting = data.ensure("tiny", "hubin")
    else:
        street = data.existing("street", args.street) if args.street \
            else data.ensure("street", "street")
        dongting = data.existing("dongting", args.dongting) if args.dongting \
            else data.ensure("dongting", "dongting")
    meta["data"] = (f"street = `mulin demo --community {street.community}` ({street.rows:,} "
                    f"rows, {street.db_bytes / 2**20:,.0f} MiB); dongting = "
                    f"`{dongting.community}` ({dongting.rows:,} rows)")
    work = data.CACHE / f"work-{os.getpid()}"
    stations = {"dongting": dongting.copy_to(work / "dongting"),
                "street": street.copy_to(work / "street")}
    if "start" in groups:  # laptops are encrypted by default: measure one (issue 16)
        log("an encrypted copy of dongting …")
        encrypted = suite.encrypt_copy(dongting.copy_to(work / "encrypted"))
    figures: list[Figure] = []
    try:
        if "demo" in groups:
            figures += suite.generator({"street": street, "dongting": dongting})
        if "start" in groups:
            log("start-up, whole process …")
            figures += suite.startup(plan, {**stations, "encrypted": encrypted})
        if "rss" in groups:
            log("peak memory after every screen …")
            figures += suite.rss_after_tour(plan, stations["street"])
        bare_keystroke: list[float] = []
        if "ui" in groups or "search" in groups:
            log("UI under Pilot …")
            ui, bare = suite.ui(plan, stations)
            bare_keystroke = bare.get("keystroke", [])
            figures += ui if "ui" in groups else []
        if "search" in groups:
            log("search …")
            from benchmarks import search_figures

            figures += search_figures.search(plan, stations["street"], bare_keystroke)
        if "cli" in groups:
            log("mulin stats --digest, mulin check …")
            from benchmarks import cli_figures

            figures += cli_figures.cli(plan, stations["street"])
        if "sync" in groups:
            log("sync …")
            hubin = data.ensure("tiny", "hubin") if plan.scale != "tiny" else street
            figures += _sync(street, work, hubin)
        if "hub" in groups:  # issue 15: the street hub on a throwaway PostgreSQL
            from benchmarks import hub
            log("street hub …")
            figures += guarded("hub", "Hub", "", lambda: hub.measure(
                street, dongting, work / "hub", plan.cli_runs))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    figures = suite.complete(figures, groups)
    meta["seconds"] = time.perf_counter() - started
    meta["load_end"] = os.getloadavg()
    notes = HERE / "ANALYSIS.md"
    if plan.scale == "full" and notes.exists():
        meta["analysis"] = notes.read_text().strip()
    report.write(args.out, figures, meta)
    log(f"wrote {args.out / 'RESULTS.md'} ({meta['seconds']:.0f} s)")
    return 0


def _sync(street: DataSet, work: Path, hubin: DataSet | None) -> list[Figure]:
    from benchmarks import suite
    from benchmarks.core import guarded
    from benchmarks.sync import available, measure, not_yet

    if not available(suite.cli_commands()):
        return not_yet("`mulin export` / `mulin import` (app.services.sync) have not landed")
    return guarded("sync", "Sync", "", lambda: measure(street, work / "sync", hubin))


if __name__ == "__main__":
    sys.exit(main())
