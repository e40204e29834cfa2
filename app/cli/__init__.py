"""The ``mulin`` command line. Each module in this package may define
``register(subparsers)`` to add its commands; ``main`` discovers them.

Exit statuses: 0 done, 1 refused or failed (with a one-line reason), 2 bad usage.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from app import startup

startup.hold_back_drivers(sys.argv[1:])  # before peewee is imported (issue 16)

from app import __version__, i18n  # noqa: E402
from app.cli.common import CliError, Env  # noqa: E402


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mulin", description="睦邻 Mulin — 社区工作站离线桌面 / offline community desk")
    parser.add_argument("--data-dir", metavar="DIR", help="数据目录 / data directory")
    parser.add_argument("--demo", action="store_true", help="打开演示站 / open the demo station")
    parser.add_argument("--lang", choices=i18n.LANGS, help="界面语言 / interface language")
    parser.add_argument("--version", action="version", version=f"mulin {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register:
            register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    env = Env.from_args(args)
    handler = getattr(args, "handler", None)
    try:
        if handler is None:
            from app.cli.tui import run_tui

            return run_tui(env)
        return int(handler(env, args) or 0)
    except CliError as exc:
        print(f"mulin: {exc}", file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        print("mulin: interrupted", file=sys.stderr)
        return 130
