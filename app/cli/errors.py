"""Every failure of a command as one line in the interface language (issue 18).

:func:`describe` turns any exception that escapes a command into ``(message, status)``:
a busy or damaged database, a full or read-only disk, a directory where a file should
be, a name too long … and, for anything unforeseen, one line naming the error instead
of a Python traceback. :func:`waiter` is the command line's way of waiting for a busy
database (another ``mulin`` importing): it says so once on stderr; Ctrl+C cancels.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, cast

from app.config import Paths
from app.i18n import t
from app.oserrors import os_reason

if TYPE_CHECKING:  # pydantic is not imported on the desk's way to its first frame
    from pydantic import ValidationError

__all__ = ["CliError", "describe", "os_message", "os_reason", "Waiter"]

#: Words in SQLite's messages -> catalog key (``faults.db.<name>``).
_SQLITE = (
    ("locked", "busy"), ("busy", "busy"), ("full", "full"), ("readonly", "readonly"),
    ("read-only", "readonly"), ("malformed", "malformed"), ("not a database", "malformed"),
    ("unable to open", "cannot_open"), ("disk i/o", "io"), ("no such table", "malformed"),
)


def os_message(exc: OSError, path: object = None) -> str:
    where = path if path is not None else (exc.filename or "")
    return t("faults.os_error", path=str(where), reason=os_reason(exc))


def db_reason(exc: BaseException) -> str | None:
    """A SQLite error's reason in the interface language; None if not recognised."""
    text = str(exc).lower()
    for word, name in _SQLITE:
        if word in text:
            return t(f"faults.db.{name}")
    return None


#: pydantic's own English wording -> catalog key (issue 18); services raise catalog text.
_ENGLISH = (
    (re.compile(r"^String should have at most (?P<n>\d+) characters?$"), "faults.msg.too_long"),
    (re.compile(r"^String should have at least (?P<n>\d+) characters?$"),
     "faults.msg.too_short"),
    (re.compile(r"^Field required$"), "faults.msg.required"),
)


def localise(message: str) -> str:
    """A refusal's text without pydantic's "Value error," and its English wording."""
    parts = []
    for part in message.split("; "):
        for lead in ("Value error, ", "Assertion failed, "):
            part = part.removeprefix(lead)
        for pattern, key in _ENGLISH:
            found = pattern.match(part)
            if found:
                part = t(key, **found.groupdict())
                break
        parts.append(part)
    return t("faults.msg.joiner").join(parts)


def damaged(exc: BaseException) -> bool:
    """The database file itself is damaged (or not a database)."""
    return _is_database_error(exc) and db_reason(exc) == t("faults.db.malformed")


def validation_message(exc: ValidationError) -> str:
    """pydantic's errors without its English wrapping ("Value error, …")."""
    parts = []
    for err in exc.errors():
        msg = str(err.get("msg", ""))
        for lead in ("Value error, ", "Assertion failed, "):
            msg = msg.removeprefix(lead)
        parts.append(msg)
    return "; ".join(parts)


def describe(exc: BaseException) -> tuple[str, int]:
    """One line and an exit status for an exception a command did not handle."""
    from app.store import DatabaseBusy, NoStationError, is_busy, real_error

    if real_error(exc) is not exc:
        return describe(real_error(exc))  # SQLite rolled back itself (a full disk)
    if isinstance(exc, DatabaseBusy) or is_busy(exc):
        return t("faults.db.busy_cli"), 1
    if isinstance(exc, NoStationError):
        return t("faults.no_station"), 1
    if isinstance(exc, OSError):
        return os_message(exc), 1
    if _is_validation_error(exc):
        return localise(validation_message(cast("ValidationError", exc))), 1
    reason = db_reason(exc) if _is_database_error(exc) else None
    if reason is not None:
        if _disk_full():  # SQLite says "disk I/O error" when it cannot grow its WAL
            reason = t("faults.db.full")
        elif _read_only():  # … and "unable to open" when it cannot make its WAL files
            reason = t("faults.db.readonly")
        return t("faults.db_error", reason=reason), 1
    return t("faults.unexpected", kind=type(exc).__name__, detail=str(exc)[:200]), 1


def _database_folder() -> Path | None:
    from models.db import db

    return Path(str(db.database)).parent if db.database else None


def _disk_full() -> bool:
    folder = _database_folder()
    try:
        return folder is not None and shutil.disk_usage(folder).free < 64 * 1024
    except OSError:
        return False


def _read_only() -> bool:
    folder = _database_folder()
    try:
        return folder is not None and (
            bool(os.statvfs(folder).f_flag & os.ST_RDONLY) or not os.access(folder, os.W_OK))
    except OSError:
        return False


def forget_empty_database(paths: Paths) -> None:
    """A command that failed before writing anything leaves no 0-byte database behind."""
    try:
        if paths.database.is_file() and paths.database.stat().st_size == 0:
            from models.db import db

            db.close()
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{paths.database}{suffix}").unlink(missing_ok=True)
    except OSError:
        pass


def _is_validation_error(exc: BaseException) -> bool:
    """A pydantic ValidationError (pydantic is only in memory if something used it)."""
    pydantic = sys.modules.get("pydantic")
    return pydantic is not None and isinstance(exc, pydantic.ValidationError)


def _is_database_error(exc: BaseException) -> bool:
    names = {c.__name__ for c in type(exc).__mro__}
    return bool(names & {"DatabaseError", "OperationalError", "IntegrityError"})


class Waiter:
    """The command line's waiter: one line on stderr, then wait until Ctrl+C."""

    def __init__(self) -> None:
        self.told = False

    def __call__(self, seconds: float) -> bool:
        if not self.told:
            print(t("faults.waiting_cli"), file=sys.stderr, flush=True)
            self.told = True
        return True


class CliError(Exception):
    """A refusal with a one-line reason; ``status`` is the exit code."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status
