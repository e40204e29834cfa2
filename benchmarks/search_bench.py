"""Search latency per keystroke, at street scale (issue 7).

``run(rounds=…)`` is called by the benchmark suite with the street station already open
(``benchmarks/suite.py``: ``search``); it returns Figures of seconds per keystroke for each query,
typed one character at a time as a user would, through the same service call the
search box's worker makes (``app.services.search.lookup.search``):

- ``wxl``: pinyin initials, the case the issue names;
- ``phone``: the last four digits of a real resident's phone;
- ``room``: a building-unit-room (``12-3-402``), then the bare room narrowed by its
  building (``402 12``);
- ``name``: Chinese characters (``王``, ``王秀``, ``王秀兰``);
- ``index_rebuild``: one full rebuild of the search-key index (seconds, one sample).

Run on its own::

    python -m benchmarks.search_bench --data-dir /path/to/street/station [--rounds 20]

prints p50 / p95 per query.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

QUERIES = ("wxl", "phone", "room", "name")


def _real_phone_tail() -> str:
    from models.db import db

    row = db.execute_sql("SELECT phone FROM resident WHERE phone != '' AND deleted = 0 "
                         "ORDER BY id LIMIT 1").fetchone()
    return str(row[0])[-4:] if row else "5678"


def typed_queries() -> dict[str, list[str]]:
    """What each query sends, keystroke by keystroke."""
    def prefixes(text: str) -> list[str]:
        return [text[:n] for n in range(1, len(text) + 1)]

    return {
        "wxl": prefixes("wxl"),
        "phone": prefixes(_real_phone_tail()),
        "room": prefixes("12-3-402") + prefixes("402 12"),
        "name": prefixes("王秀兰"),
    }


def _time(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def samples(rounds: int = 20, rebuild: bool = True) -> dict[str, list[float]]:
    """Seconds per keystroke for each query (the open station), and one index rebuild."""
    from app.services.search import index as search_index
    from app.services.search import lookup as search

    out: dict[str, list[float]] = {}
    if rebuild:
        out["index_rebuild"] = [_time(search_index.rebuild)]
    search.search("w")  # the first query of a process warms SQLite's cache: not a keystroke
    for name, keystrokes in typed_queries().items():
        taken: list[float] = []
        for _ in range(rounds):
            for text in keystrokes:
                taken.append(_time(lambda t=text: search.search(t)))  # type: ignore[misc]
        out[name] = taken
    return out


TITLES = {"wxl": "Search “wxl” (pinyin initials), per keystroke",
          "phone": "Search a phone tail, per keystroke",
          "room": "Search “12-3-402” then “402 12”, per keystroke",
          "name": "Search “王秀兰” in characters, per keystroke",
          "index_rebuild": "Rebuild the whole search index"}


def run(rounds: int = 20) -> list[Any]:
    """Figures for the benchmark suite: p95 per keystroke well within a frame (50 ms)."""
    from benchmarks.core import Figure, Target
    from models.places import Resident

    keystroke = Target("p95 < 50 ms", "p95", "<", 0.05, "absolute")
    residents = Resident.select().where(Resident.deleted == False).count()  # noqa: E712
    figures = []
    for name, taken in samples(rounds).items():
        rebuild = name == "index_rebuild"
        figures.append(Figure(
            f"search_{name}", TITLES[name], "s", samples=taken,
            target=None if rebuild else keystroke,
            note=(f"{residents} residents, pinyin of every reading computed and stored"
                  if rebuild else "app.services.search.lookup.search() on each prefix, as typed; "
                  "the search box runs it in a worker, so typing never waits for it"),
            extra={"residents": residents}))
    return figures


def measure(rounds: int = 20) -> dict[str, dict[str, float]]:
    """p50 / p95 in milliseconds per query (for a quick look, or another harness)."""
    from benchmarks.core import percentile

    return {name: {"p50_ms": percentile(s, 50) * 1000, "p95_ms": percentile(s, 95) * 1000,
                   "n": len(s)}
            for name, s in samples(rounds).items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.search_bench")
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args(argv)
    from benchmarks.opening import open_env

    open_env(args.data_dir)
    from models.places import Resident

    print(f"residents: {Resident.select().count()}")
    for name, stats in measure(args.rounds).items():
        print(f"{name:14} p50 {stats['p50_ms']:8.2f} ms   p95 {stats['p95_ms']:8.2f} ms"
              f"   (n={stats['n']:.0f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
