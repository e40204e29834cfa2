"""Opening a benchmark station in this process, the way the ``mulin`` command does."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def open_env(data_dir: Path) -> Any:
    """Open a station in this process exactly as the CLI does (unlock, migrate, activate)."""
    from app.cli import build_parser
    from app.cli.common import Env

    env = Env.from_args(build_parser().parse_args(["--data-dir", str(data_dir)]))
    env.open()
    return env
