"""What every command needs: resolved paths, language, an opened station."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

from app import config, i18n
from app.cli.errors import CliError
from app.cli.passphrase import unlock
from app.services.station import identity as station
from app.store import StationContext
from models.schema import NewerSchemaError


@dataclass
class Env:
    """The resolved environment of one ``mulin`` invocation."""

    paths: config.Paths
    demo: bool
    settings: config.LocalSettings

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Env:
        paths = config.resolve(args.data_dir, args.demo)
        try:
            settings = config.load_settings(paths)
        except config.SettingsError as exc:
            raise SystemExit(f"mulin: {exc}") from exc
        i18n.set_lang(args.lang or settings.lang)
        return cls(paths, args.demo, settings)

    def open(self) -> StationContext | None:
        """Open the database (creating or migrating it); the station if there is one."""
        unlock(self.paths)
        try:
            return station.open_station(self.paths)
        except NewerSchemaError as exc:
            raise CliError(i18n.t("cli.newer_schema", detail=str(exc))) from exc

    def require_station(self) -> StationContext:
        ctx = self.open()
        if ctx is None:
            raise CliError(i18n.t("cli.no_station", path=str(self.paths.data_dir)))
        return ctx


def progress_printer(label: str, fraction: float) -> None:
    """A one-line progress indicator on stderr."""
    width = 30
    done = int(fraction * width)
    sys.stderr.write(f"\r[{'#' * done}{'.' * (width - done)}] {fraction:4.0%} {label:<24}")
    if fraction >= 1:
        sys.stderr.write("\n")
    sys.stderr.flush()
