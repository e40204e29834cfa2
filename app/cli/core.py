"""``mulin demo`` and ``mulin stats`` (``mulin init`` is in :mod:`app.cli.sync`)."""

from __future__ import annotations

import argparse
import json
import time
from datetime import date
from typing import Any

from app import clock
from app.cli.common import CliError, Env, progress_printer
from app.i18n import t
from app.services.station import stats


def register(sub: Any) -> None:
    # ``mulin init`` lives in app/cli/sync.py (it also joins a community).
    p = sub.add_parser("demo", help="生成演示社区 / fill this station with a demo community")
    p.add_argument("--community", type=_community, default="dongting",
                   help="hubin, dongting or street")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--as-of", type=_day, default=None, metavar="YYYY-MM-DD")
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser("stats", help="统计与摘要 / counts and content digest")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--json", action="store_true", help="JSON output")
    group.add_argument("--digest", action="store_true", help="print only the content digest")
    p.set_defaults(handler=cmd_stats)


def _community(key: str) -> str:
    """A demo community's key (the generator is imported only when ``demo`` runs)."""
    from fixtures.demo import COMMUNITIES

    if key not in COMMUNITIES:
        raise argparse.ArgumentTypeError(f"invalid choice: {key!r} (choose from "
                                         f"{', '.join(COMMUNITIES)})")
    return key


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def cmd_demo(env: Env, args: argparse.Namespace) -> int:
    from app.services.station import demo as demo_service
    from app.services.trust.operators import add_demo_operators

    if env.open() is not None and demo_service.is_empty():
        env.sign_in()  # a station that holds data is refused below anyway
    as_of = args.as_of or clock.today()
    started = time.perf_counter()
    try:
        summary = demo_service.fill(args.community, args.seed, as_of, progress_printer)
        add_demo_operators()  # issue 9: admin 0000, duty 1111, grid worker 2222
    except demo_service.DemoError as exc:
        raise CliError(str(exc)) from exc
    seconds = time.perf_counter() - started
    if summary.finished:
        print(t("faults.demo.finished"))
        return 0
    print(t("cli.demo_done", community=args.community, seconds=f"{seconds:.1f}",
            rows=summary.rows, rate=f"{summary.rows / max(seconds, 1e-9):,.0f}"))
    return 0


def cmd_stats(env: Env, args: argparse.Namespace) -> int:
    env.require_station()
    if args.digest:
        print(stats.digest())
    elif args.json:
        print(json.dumps({"counts": stats.counts()}, ensure_ascii=False, sort_keys=True))
    else:
        for name, count in stats.counts().items():
            print(f"{name:<20} {count:>9,}")
    return 0
