"""What the desk's start may skip: database drivers it never uses.

Peewee imports the PostgreSQL driver (psycopg) whenever it is installed — the street
hub's driver, ~0.1 s of import on an idle machine and several times that on a busy one,
a large share of a desk's time to its first frame (issue 16). When ``mulin`` is started
without a command (the desk's TUI, which only ever opens SQLite), :func:`hold_back_drivers`
makes that import fail quietly so peewee records the driver as absent, and turns off
pydantic's plugin discovery; so do a station's ``import``, ``export`` and ``sync`` (a
day's sync). Any other command (and so any hub command) imports as usual.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

#: Global options that take a value (``mulin --data-dir DIR --lang en --operator NAME``).
_VALUED = ("--data-dir", "--lang", "--operator")
_DRIVERS = ("psycopg", "psycopg2", "psycopg2cffi", "pymysql", "MySQLdb")


#: Station commands that only ever open SQLite (a day's sync, issue 16).
_SQLITE_ONLY = ("import", "export", "sync")


def command(argv: Sequence[str]) -> str:
    """The command ``argv`` names ("" for the desk's TUI: only global options)."""
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg in _VALUED:
            if args:
                args.pop(0)
        elif not arg.startswith("-"):
            return arg
    return ""


def is_desk(argv: Sequence[str]) -> bool:
    """True when ``argv`` opens the TUI: only global options, no command."""
    return command(argv) == ""


def hold_back_drivers(argv: Sequence[str]) -> None:
    """Before peewee is first imported: keep other databases' drivers out of a desk and
    out of a station's import, export and sync."""
    if "peewee" in sys.modules or command(argv) not in ("", *_SQLITE_ONLY):
        return
    for name in _DRIVERS:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # import -> ImportError
    # pydantic looks for plugins in every installed distribution's entry points on its
    # first model (~0.1 s); Mulin uses none
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
