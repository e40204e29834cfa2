"""The search figures: a query typed prefix by prefix against the street station, each
beside a bare keystroke of the same run (issue 7)."""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.core import Figure, Target, guarded, unavailable
from benchmarks.opening import open_env
from benchmarks.suite import SEARCH_TITLES, Plan, _has


def search(plan: Plan, street: Path, bare_keystroke: list[float]) -> list[Figure]:
    """``benchmarks/search_bench.py`` if the search engineer added it, else the service."""
    target = Target("p95 < 50 ms", "p95", "<", 0.05, "absolute")
    if _has("benchmarks.search_bench"):
        return guarded("search", "Search", "s",
                       lambda: _search_bench(plan, street, bare_keystroke, target))
    if not _has("app.services.search.lookup"):
        return [unavailable(f"search_{k}", t, "s", "app.services.search.lookup has not landed",
                            target) for k, t in SEARCH_TITLES.items()]
    return guarded("search", "Search", "s",
                   lambda: _search_service(plan, street, bare_keystroke, target))


def _search_bench(plan: Plan, street: Path, bare_keystroke: list[float],
                  target: Target) -> list[Figure]:
    import inspect

    module = importlib.import_module("benchmarks.search_bench")
    fn = next((getattr(module, n) for n in ("run", "measure", "bench", "main")
               if callable(getattr(module, n, None))), None)
    if fn is None:
        raise RuntimeError("benchmarks/search_bench.py has no run()/measure()")
    offered = {"data_dir": street, "paths": street, "station": street, "repeats":
               plan.search_rounds, "rounds": plan.search_rounds, "scale": plan.scale}
    params = inspect.signature(fn).parameters
    open_env(street)
    result = fn(**{k: v for k, v in offered.items() if k in params})
    return _figures_from(result, bare_keystroke, target)


def _figures_from(result: Any, bare_keystroke: list[float], target: Target) -> list[Figure]:
    """Accept a list of Figures, or a mapping of name -> samples in seconds."""
    if isinstance(result, list) and all(isinstance(f, Figure) for f in result):
        return result
    if isinstance(result, dict):
        return [Figure(f"search_{name}", SEARCH_TITLES.get(name, f"Search {name}"), "s",
                       samples=[float(x) for x in samples], reference="bare app keystroke "
                       "in an Input", reference_samples=bare_keystroke, target=target,
                       note="measured by benchmarks/search_bench.py")
                for name, samples in result.items()]
    raise RuntimeError(f"search_bench returned {type(result).__name__}")


def search_queries() -> dict[str, str]:
    """Real queries from the station: a name's initials, a phone tail, a building-room."""
    from app.services.search import lookup as svc  # noqa: F401 - must exist to get here
    from models.db import db

    row = db.execute_sql("SELECT r.phone, b.number, u.number, h.room FROM resident r "
                         "JOIN household h ON h.id = r.household_id "
                         "JOIN building b ON b.id = h.building_id "
                         "LEFT JOIN unit u ON u.id = h.unit_id "
                         "WHERE r.phone != '' ORDER BY r.id LIMIT 1").fetchone()
    phone, building, unit, room = row
    place = f"{building}-{unit}-{room}" if unit else f"{building}-{room}"
    return {"wxl": "wxl", "phone": str(phone)[-4:], "room": place}


def _search_service(plan: Plan, street: Path, bare_keystroke: list[float],
                    target: Target) -> list[Figure]:
    """Each prefix of each query, as typing would send it, through the search service."""
    open_env(street)
    svc = importlib.import_module("app.services.search.lookup")
    run: Callable[[str], Any] = svc.search
    started = time.perf_counter()
    run("w")  # the first query of a process loads what search needs: timed apart
    warm = time.perf_counter() - started
    figs = []
    for name, query in search_queries().items():
        samples = []
        for _ in range(plan.search_rounds):
            for n in range(1, len(query) + 1):
                started = time.perf_counter()
                run(query[:n])
                samples.append(time.perf_counter() - started)
        figs.append(Figure(f"search_{name}", SEARCH_TITLES[name], "s", samples=samples,
                           reference="bare app keystroke in an Input",
                           reference_samples=bare_keystroke, target=target,
                           note=f"app.services.search.lookup.search() on each prefix of “{query}” "
                                "(service time; the search box adds its draw)",
                           extra={"first_query_of_the_process_s": warm}))
    return figs


# --- CLI at street scale ------------------------------------------------------------------
