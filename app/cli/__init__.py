"""The ``mulin`` command line. Each module in this package may define
``register(subparsers)`` to add its commands; ``main`` discovers them.

Exit statuses: 0 done, 1 refused or failed (with a one-line reason), 2 bad usage.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from app import startup

startup.hold_back_drivers(sys.argv[1:])  # before peewee is imported (issue 16)

from app import __version__, i18n  # noqa: E402
from app.cli.common import CliError, Env  # noqa: E402

# Nothing here imports peewee or the models: the desk draws its sign-in before them
# (issue 16, ``app/services/trust/roster.py``); the commands import what they use.

#: The module of this package that registers each command: ``mulin COMMAND`` imports only
#: that one (the others' imports cost a day's import ~0.2 s, issue 16); ``--help``, no
#: command at all with ``--help``, or an unknown word import them all.
#: ``tests/test_first_paint.py`` checks this table against every module's ``register``.
COMMAND_MODULES = {
    "opinions": "civic", "demo": "core", "stats": "core", "hub": "hub",
    "mediation": "mediation", "report": "report", "init": "sync", "key": "sync",
    "export": "sync", "import": "sync", "undo-import": "sync", "sync": "sync",
    "backup": "trust", "restore": "trust", "check": "trust", "decrypt": "trust",
    "rekey": "trust", "operator": "trust",
}
#: Every command module (``None``): the full parser.
ALL = None


def build_parser(modules: Sequence[str] | None = ALL) -> argparse.ArgumentParser:
    """The parser with the commands of ``modules`` (``ALL``: every command module); ``()``
    leaves the commands out (the desk: ``mulin`` with global options only, issue 16)."""
    parser = argparse.ArgumentParser(
        prog="mulin", description="睦邻 Mulin — 社区工作站离线桌面 / offline community desk")
    parser.add_argument("--data-dir", metavar="DIR", help="数据目录 / data directory")
    parser.add_argument("--demo", action="store_true", help="打开演示站 / open the demo station")
    parser.add_argument("--lang", choices=i18n.LANGS, help="界面语言 / interface language")
    parser.add_argument("--version", action="version", version=f"mulin {__version__}")
    if modules is ALL:
        modules = _all_modules()
    if modules:
        sub = parser.add_subparsers(dest="command", metavar="COMMAND")
        for name in modules:
            register = getattr(importlib.import_module(f"{__name__}.{name}"), "register", None)
            if register:
                register(sub)
    _operator_option(parser, None)
    return parser


def _all_modules() -> list[str]:
    import pkgutil

    return sorted(m.name for m in pkgutil.iter_modules(__path__))


def modules_for(argv: Sequence[str]) -> Sequence[str] | None:
    """The command modules ``argv`` needs: none for the desk, its own for a known command,
    ``ALL`` for ``--help`` without a command or a word that is no command."""
    name = startup.command(argv)
    if not name:
        return ALL if any(a in ("-h", "--help") for a in argv) else ()
    return (COMMAND_MODULES[name],) if name in COMMAND_MODULES else ALL


def _operator_option(parser: argparse.ArgumentParser, default: object) -> None:
    """``--operator NAME`` before or after any command (PIN from MULIN_PIN or asked)."""
    parser.add_argument("--operator", metavar="NAME", default=default,
                        help="操作员（PIN 取自 MULIN_PIN 或终端）/ operator signing in "
                             "(PIN from MULIN_PIN or the terminal)")
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in set(action.choices.values()):
                _operator_option(child, argparse.SUPPRESS)  # keeps a value given before


def main(argv: Sequence[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    args = build_parser(modules_for(given)).parse_args(given)
    env: Env | None = None
    try:
        env = Env.from_args(args)
        return _run(env, args)
    except (Exception, KeyboardInterrupt) as exc:  # one line, never a traceback (issue 18)
        from app.cli import errors

        message, status = _failure(exc)
        print(f"mulin: {message}", file=sys.stderr)
        if env is not None:
            errors.forget_empty_database(env.paths)
        return status


def _run(env: Env, args: argparse.Namespace) -> int:
    handler = getattr(args, "handler", None)
    if handler is None:
        from app.cli.tui import run_tui

        return run_tui(env)
    env.wait_when_busy()
    return int(handler(env, args) or 0)


def _failure(exc: BaseException) -> tuple[str, int]:
    from app.cli import errors
    from app.services.trust.permissions import Refused

    if isinstance(exc, CliError):
        return errors.localise(str(exc)), exc.status
    if isinstance(exc, Refused):  # a role may not do this (issue 12)
        return str(exc), 1
    if isinstance(exc, KeyboardInterrupt):
        return i18n.t("faults.interrupted"), 130
    return errors.describe(exc)
