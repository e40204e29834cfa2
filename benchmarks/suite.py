"""The figures, each measured next to its reference in the same run."""

from __future__ import annotations

import importlib.util
import statistics
import sys
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from benchmarks import proc
from benchmarks.core import NOT_YET, Figure, Target, guarded, unavailable
from benchmarks.data import DataSet
from benchmarks.opening import open_env

BARE = "bare Textual app, one line"
SEARCH_TITLES = {"wxl": "Search “wxl” (pinyin initials)", "phone": "Search a phone tail",
                 "room": "Search a building-room"}


@dataclass
class Plan:
    """How hard to look: the full street, or a tiny smoke run for the test suite."""

    scale: str
    process_runs: int
    ui_sessions: int
    keystroke_rounds: int
    rss_runs: int
    cli_runs: int
    search_rounds: int

    @classmethod
    def of(cls, scale: str) -> Plan:
        if scale == "tiny":
            return cls("tiny", 1, 1, 1, 1, 1, 1)
        return cls("full", 15, 3, 4, 2, 2, 4)  # start-up: 15 interleaved rounds (noise)


def _has(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def cli_commands() -> set[str]:
    """The ``mulin`` subcommands this tree offers."""
    from app.cli import build_parser

    parser = build_parser()
    for action in parser._subparsers._group_actions if parser._subparsers else []:
        choices = getattr(action, "choices", None)
        if choices:
            return set(choices)
    return set()


# --- start-up -----------------------------------------------------------------------------

@dataclass
class Start:
    """One start in a pty: spawn → first frame painted, the whole process, peak RSS."""

    paint: float
    whole: float
    rss: float


#: The passphrase of the encrypted station the suite measures (SQLCipher; laptops' default).
PASSPHRASE = "bench-passphrase"


def encrypt_copy(data_dir: Path) -> Path:
    """Turn a private copy of a station into an encrypted one (``mulin rekey``)."""
    run = proc.run_plain(proc.mulin("--data-dir", str(data_dir), "rekey"),
                         proc.child_env(MULIN_NEW_DB_PASSPHRASE=PASSPHRASE, MULIN_OPERATOR="管理员",
                                        MULIN_PIN="0000"),  # the demo's admin
                         timeout=1800)
    if run.status != 0:
        raise RuntimeError(f"mulin rekey: exit {run.status}: {run.output[-600:]}")
    return data_dir


def _start_once(argv: list[str], marker: Path) -> Start:
    """Spawn, read when the first frame was painted (the app writes it), exit."""
    marker.unlink(missing_ok=True)
    env = proc.child_env(MULIN_EXIT_AFTER_FIRST_FRAME="1", MULIN_FIRST_FRAME_FILE=str(marker),
                         MULIN_DB_PASSPHRASE=PASSPHRASE)
    run = proc.run_in_terminal(argv, env)
    if run.status != 0 or not marker.exists():
        raise RuntimeError(f"exit {run.status}: {run.output[-600:]}")
    return Start(float(marker.read_text()) - run.spawned_at, run.seconds, run.rss_mib)


def _interleaved(commands: dict[str, list[str]], runs: int, marker: Path
                 ) -> tuple[dict[str, list[Start]], dict[str, Start]]:
    """Each round starts every command once, in turn (bare, then each station), so load
    on the shared machine falls on all of them alike. The first start of each (the
    first of the day: daily backup thread, cold caches) is kept apart."""
    first = {label: _start_once(argv, marker) for label, argv in commands.items()}
    out: dict[str, list[Start]] = {label: [] for label in commands}
    for _ in range(runs):
        for label, argv in commands.items():
            out[label].append(_start_once(argv, marker))
    return out, first


def startup(plan: Plan, stations: dict[str, Path]) -> list[Figure]:
    import tempfile

    commands = {"bare": [sys.executable, "-m", "benchmarks.bare"]}
    commands |= {label: proc.mulin("--data-dir", str(d)) for label, d in stations.items()}
    with tempfile.TemporaryDirectory() as tmp:
        try:
            starts, first = _interleaved(commands, plan.process_runs, Path(tmp) / "frame")
        except RuntimeError as exc:
            return guarded("start_process_street", "Cold start", "s", partial(_raise, exc))
    bare = starts.pop("bare")
    out: list[Figure] = []
    for label, runs in starts.items():
        target = Target("≤ 1.5× the bare app", "median", "<=", 1.5) \
            if label == "street" else None
        what = "encrypted (SQLCipher) copy of dongting" if label == "encrypted" else label
        out.append(Figure(
            f"start_process_{label}", f"Start to first paint, whole process ({what})", "s",
            samples=[r.paint for r in runs], reference=BARE,
            reference_samples=[r.paint for r in bare], target=target,
            extra={"first_start_of_the_day_paint_s": first[label].paint,
                   "first_start_of_the_day_whole_s": first[label].whole,
                   "whole_process_median_s": statistics.median(r.whole for r in runs),
                   "bare_whole_process_median_s": statistics.median(r.whole for r in bare)},
            note="spawn → first frame painted (the app writes the time), in an 80×24 pty; "
                 "that frame is the sign-in, drawn from the operators' names before the "
                 "station is opened (an encrypted station is opened first); "
                 "bare and Mulin runs interleaved; the first start of the day (daily "
                 "backup, now in a thread after the first paint) is run first and "
                 "reported apart"))
        if label == "street":
            out.append(Figure("rss_first_frame_street", "Peak RSS at the first frame (street)",
                              "MiB", samples=[r.rss for r in runs], reference=BARE,
                              reference_samples=[r.rss for r in bare],
                              target=Target("≤ 3× the bare app", "median", "<=", 3.0)))
    return out


def _raise(exc: Exception) -> list[Figure]:
    raise exc


def rss_after_tour(plan: Plan, street: Path) -> list[Figure]:
    child = [sys.executable, "-m", "benchmarks.rss_child"]
    env = proc.child_env()

    def peak(argv: list[str]) -> list[float]:
        samples = []
        for _ in range(plan.rss_runs):
            run = proc.run_plain(argv, env, timeout=900)
            if run.status != 0:
                raise RuntimeError(f"exit {run.status}: {run.output[-600:]}")
            samples.append(run.rss_mib)
        return samples

    def go() -> list[Figure]:
        return [Figure("rss_all_screens_street", "Peak RSS after visiting every screen (street)",
                       "MiB", samples=peak([*child, str(street)]), reference=BARE,
                       reference_samples=peak([*child, "--bare"]),
                       target=Target("≤ 3× the bare app", "median", "<=", 3.0),
                       note="headless Pilot in a fresh process: every top-level screen, "
                            "pages of the cases list, a building ledger")]
    return guarded("rss_all_screens_street", "Peak RSS after every screen", "MiB", go)


# --- UI under Pilot -----------------------------------------------------------------------

def ui(plan: Plan, stations: dict[str, Path]) -> tuple[list[Figure], dict[str, list[float]]]:
    """The UI figures, and the bare app's samples (the search figures' reference)."""
    from benchmarks import tour

    bare = tour.measure_bare(plan.ui_sessions, plan.keystroke_rounds)
    out: list[Figure] = []
    for label, data_dir in stations.items():
        def one(label: str = label, data_dir: Path = data_dir) -> list[Figure]:
            env = open_env(data_dir)
            from app.services.places import views as places

            community = places.default_community()
            samples = tour.measure(env.settings, community.id if community else "",
                                   plan.ui_sessions, plan.keystroke_rounds,
                                   start_only=label != "street")
            return _ui_figures(label, samples, bare)
        out += guarded(f"ui_{label}", f"UI under Pilot ({label})", "s", one)
    return out, bare


def _ui_figures(label: str, s: dict[str, list[float]],
                bare: dict[str, list[float]]) -> list[Figure]:
    figs = [Figure(f"start_pilot_{label}", f"Start to first frame, headless Pilot ({label})",
                   "s", samples=s["pilot_start"], reference=BARE,
                   reference_samples=bare["pilot_start"],
                   note="in-process: App() construction → first screen handled and drawn")]
    if label != "street":
        return figs
    switch_ref = "bare app mode switch"
    key_ref = "bare app keystroke in an Input"
    figs += [
        Figure("screen_switch", "Screen switch, revisits of all eight top-level screens", "s",
               samples=s.get("screen_switch", []), reference=switch_ref,
               reference_samples=bare["screen_switch"],
               target=Target("p95 < 100 ms", "p95", "<", 0.1, "absolute")),
        Figure("screen_first_visit", "Screen switch, first visit of a screen", "s",
               samples=s.get("screen_first_visit", []), reference=switch_ref,
               reference_samples=bare["screen_switch"]),
        Figure("ledger_open", "Opening a building ledger (from the map)", "s",
               samples=s.get("ledger_open", []), reference=switch_ref,
               reference_samples=bare["screen_switch"]),
        Figure("cases_first_draw", "Cases screen at street scale: first draw", "s",
               samples=s.get("cases_first_draw", []), reference=switch_ref,
               reference_samples=bare["screen_switch"]),
        Figure("cases_scroll", "Cases screen: scrolling a page (PgDn)", "s",
               samples=s.get("cases_scroll", []), reference=key_ref,
               reference_samples=bare["keystroke"]),
    ]
    if s.get("case_open"):
        figs.append(Figure("case_open", "Opening a case (Enter on the cases list)", "s",
                           samples=s["case_open"], reference=switch_ref,
                           reference_samples=bare["screen_switch"]))
    else:
        figs.append(unavailable("case_open", "Opening a case (Enter on the cases list)", "s",
                                "Enter on the cases list opens no case view yet"))
    keystroke = Target("p95 < 50 ms", "p95", "<", 0.05, "absolute")
    if s.get("filter_keystroke"):
        figs.append(Figure("filter_keystroke", "Cases filter: each keystroke until the list "
                           "is updated", "s", samples=s["filter_keystroke"], reference=key_ref,
                           reference_samples=bare["keystroke"], target=keystroke,
                           note="typing “SA-2026” and erasing it, key by key"))
    else:
        figs.append(unavailable("filter_keystroke", "Cases filter: each keystroke", "s",
                                "the cases screen has no filter box behind `f` yet",
                                keystroke))
    return figs


# --- search -------------------------------------------------------------------------------

def generator(sets: dict[str, DataSet]) -> list[Figure]:
    """The demo generator's own throughput (``demo_street``; ``demo_dongting`` if distinct)."""
    distinct = {d.name: (role, d) for role, d in reversed(sets.items())}
    return [Figure(f"demo_{role}", f"`mulin demo --community {d.community}` throughput",
                   "rows/s", samples=[d.rate] if d.seconds else [],
                   status="ok" if d.seconds else NOT_YET,
                   note=f"{d.rows:,} rows in {d.seconds:.1f} s as `mulin demo` reports it, "
                        f"{d.cpu_seconds:.0f} s of CPU"
                        + (" (cached: measured when the cache was built)" if d.cached else ""),
                   extra={"rows": d.rows, "seconds": d.seconds, "cached": d.cached,
                          "cpu_seconds": d.cpu_seconds,
                          "db_mib": d.db_bytes / 2**20})
            for role, d in reversed(distinct.values())]


__all__ = ["NOT_YET", "Plan", "generator", "rss_after_tour", "startup", "ui"]


#: Every figure a full run produces: key -> (the guarded group that makes it, title, unit).
EXPECTED: dict[str, tuple[str, str, str]] = {
    "demo_street": ("demo", "`mulin demo --community street` throughput", "rows/s"),
    "start_process_dongting": ("start_process_dongting", "Cold start, whole process "
                               "(dongting)", "s"),
    "start_process_street": ("start_process_street", "Cold start, whole process (street)", "s"),
    "start_process_encrypted": ("start_process_street", "Cold start, whole process "
                                "(encrypted)", "s"),
    "rss_first_frame_street": ("start_process_street", "Peak RSS at the first frame (street)",
                               "MiB"),
    "rss_all_screens_street": ("rss_all_screens_street", "Peak RSS after every screen", "MiB"),
    "start_pilot_dongting": ("ui_dongting", "Start under Pilot (dongting)", "s"),
    "start_pilot_street": ("ui_street", "Start under Pilot (street)", "s"),
    "screen_switch": ("ui_street", "Screen switch", "s"),
    "screen_first_visit": ("ui_street", "Screen switch, first visit", "s"),
    "ledger_open": ("ui_street", "Opening a building ledger", "s"),
    "case_open": ("ui_street", "Opening a case", "s"),
    "cases_first_draw": ("ui_street", "Cases screen: first draw", "s"),
    "cases_scroll": ("ui_street", "Cases screen: scrolling a page", "s"),
    "filter_keystroke": ("ui_street", "Cases filter: each keystroke", "s"),
    "search_wxl": ("search", SEARCH_TITLES["wxl"], "s"),
    "search_phone": ("search", SEARCH_TITLES["phone"], "s"),
    "search_room": ("search", SEARCH_TITLES["room"], "s"),
    "stats_digest": ("stats_digest", "`mulin stats --digest` at street scale", "s"),
    "check": ("check", "`mulin check` at street scale", "s"),
    "sync_export_full": ("sync", "Export a full street bundle", "records/s"),
    "sync_import_full": ("sync", "Import a full street bundle", "records/s"),
    "sync_import_full_rss": ("sync", "Import a full street bundle: peak RSS", "MiB"),
    "sync_reimport_full": ("sync", "Re-import the same full bundle", "records/s"),
    "sync_bundle_full": ("sync", "Full bundle size vs database file", "MiB"),
    "sync_export_day": ("sync", "Export one day's work", "s"),
    "sync_import_day": ("sync", "Import one day's work (street)", "s"),
    "sync_bundle_day": ("sync", "One day's bundle size vs the full bundle", "KiB"),
    "sync_import_day_vs_hubin": ("sync", "Import one day's work: street vs Hubin", "s"),
}


def complete(figures: list[Figure], groups: set[str]) -> list[Figure]:
    """One figure per expected key, in a fixed order: a failed group's error stands in for
    each figure it should have made."""
    from benchmarks.core import ERROR

    by_key = {f.key: f for f in figures}
    errors = {f.key: f for f in figures if f.status == ERROR}
    out = []
    for key, (group, title, unit) in EXPECTED.items():
        if key in by_key:
            out.append(by_key.pop(key))
        elif group in errors:
            failed = errors[group]
            out.append(Figure(key, title, unit, status=ERROR, note=failed.note,
                              target=failed.target))
        elif _group_of(key) in groups:
            out.append(Figure(key, title, unit, status=ERROR, note="not produced"))
    leftovers = [f for k, f in by_key.items() if k not in {g for g, _, _ in EXPECTED.values()}]
    return out + leftovers


def _group_of(key: str) -> str:
    """The ``--only`` group (start, ui, …) that makes a figure."""
    prefixes = {"demo_": "demo", "start_process": "start", "rss_first": "start",
                "rss_all": "rss", "search_": "search", "stats": "cli", "check": "cli",
                "sync_": "sync"}
    return next((g for p, g in prefixes.items() if key.startswith(p)), "ui")
