"""What every command needs: resolved paths, language, an opened station."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app import config, i18n
from app.cli.errors import CliError
from app.cli.passphrase import unlock

if TYPE_CHECKING:  # the desk's first frame needs neither peewee nor the models (issue 16)
    from app.store import StationContext

#: Who signs in for a command (also ``--operator``), and their PIN.
ENV_OPERATOR = "MULIN_OPERATOR"
ENV_PIN = "MULIN_PIN"


@dataclass
class Env:
    """The resolved environment of one ``mulin`` invocation."""

    paths: config.Paths
    demo: bool
    settings: config.LocalSettings
    operator: str = ""  # --operator NAME (or MULIN_OPERATOR)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Env:
        if args.lang:
            i18n.set_lang(args.lang)  # before any message
        if args.data_dir is not None and not args.data_dir.strip():
            raise CliError(i18n.t("faults.empty_data_dir"), status=2)
        paths = config.resolve(args.data_dir, args.demo)
        if paths.data_dir.exists() and not paths.data_dir.is_dir():
            raise CliError(i18n.t("faults.data_dir_file", path=str(paths.data_dir)))
        try:
            settings = config.load_settings(paths)
        except config.SettingsError as exc:
            raise SystemExit(f"mulin: {exc}") from exc
        i18n.set_lang(args.lang or settings.lang)
        operator = getattr(args, "operator", None) or os.environ.get(ENV_OPERATOR, "")
        return cls(paths, args.demo, settings, operator)

    def wait_when_busy(self) -> None:
        """A command meeting a busy database waits, saying so once; Ctrl+C cancels (the
        desk's TUI has its own waiting, ``app.services.station.waiting.tui_defaults``)."""
        from app import store
        from app.cli.errors import Waiter

        store.set_default_wait(Waiter(), 500)

    def open(self) -> StationContext | None:
        """Open the database (creating or migrating it); the station if there is one."""
        from app.services.station import identity as station
        from models.schema import NewerSchemaError

        clean_temp_files(self.paths)
        unlock(self.paths)
        try:
            return station.open_station(self.paths)
        except NewerSchemaError as exc:
            raise CliError(i18n.t("cli.newer_schema", detail=str(exc))) from exc

    def exists(self) -> bool:
        """Is there a station's database here (without creating anything)?"""
        db_file = self.paths.database
        return db_file.is_file() and db_file.stat().st_size > 0

    def require_station(self) -> StationContext:
        """The station; a missing one is refused with a message and the disk untouched
        (a read-only command never leaves an empty database behind)."""
        if not self.exists():
            raise CliError(i18n.t("cli.no_station", path=str(self.paths.data_dir)))
        ctx = self.open()
        if ctx is None:
            raise CliError(i18n.t("cli.no_station", path=str(self.paths.data_dir)))
        return ctx


    def signed_in(self) -> StationContext:
        """The station, with its operator signed in (see :meth:`sign_in`)."""
        ctx = self.require_station()
        self.sign_in()
        return ctx

    def sign_in(self) -> None:
        """A station with operators is never open: a command that changes data or shows
        personal data signs in ``--operator NAME`` with the PIN from ``MULIN_PIN`` (or
        the terminal); what it writes is recorded under that operator."""
        from app.services.trust import operators

        if not operators.has_operators():
            return
        if not self.operator:
            raise CliError(i18n.t("refused.signin"))
        found = [o for o in operators.list_operators() if o.name == self.operator]
        if not found:
            raise CliError(i18n.t("trust.no_operator", name=self.operator))
        pin = os.environ.get(ENV_PIN) or ask_secret(i18n.t("trust.ask_pin"))
        try:
            operators.sign_in(found[0].id, pin)
        except operators.SignInLocked as exc:
            raise CliError(i18n.t("signin.wait", s=exc.seconds)) from exc
        except operators.OperatorError as exc:
            raise CliError(i18n.t("trust.wrong_pin", name=self.operator)) from exc


def ask_secret(prompt: str) -> str:
    """A secret typed at the terminal ("" when there is no terminal)."""
    import getpass

    if not sys.stdin or not sys.stdin.isatty():
        return ""
    return getpass.getpass(prompt)


#: Names of files being written (renamed when complete): left over by a killed run.
TEMP_PATTERNS = ("*.part", "*.part-journal", "*.part-wal", "*.part-shm")


def clean_temp_files(paths: config.Paths) -> list[Path]:
    """Remove temporary files a killed or failed run left behind (issue 18)."""
    removed: list[Path] = []
    for folder in (paths.data_dir, paths.backups, paths.exports):
        if not folder.is_dir():
            continue
        for pattern in TEMP_PATTERNS:
            for part in folder.glob(pattern):
                try:
                    part.unlink()
                    removed.append(part)
                except OSError:
                    pass
    return removed


@contextmanager
def written_atomically(target: Path) -> Iterator[Path]:
    """Yield a temporary name beside ``target``; rename it over ``target`` when the block
    completes, delete it when it fails: no half or empty file under the real name."""
    if target.is_dir():
        raise CliError(i18n.t("faults.out_is_dir", path=str(target)))
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    try:
        yield part
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)


def progress_printer(label: str, fraction: float) -> None:
    """A one-line progress indicator on stderr."""
    width = 30
    done = int(fraction * width)
    sys.stderr.write(f"\r[{'#' * done}{'.' * (width - done)}] {fraction:4.0%} {label:<24}")
    if fraction >= 1:
        sys.stderr.write("\n")
    sys.stderr.flush()
