"""Where data lives (platformdirs, overridable) and the station's local settings file.

The settings are a plain dataclass; the file is validated by a pydantic model built only
when there is a file to read (pydantic costs a desk's start ~0.1 s, issue 16).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import Any

DB_NAME = "mulin.sqlite3"
SETTINGS_NAME = "settings.toml"


@dataclass(frozen=True)
class Paths:
    """Every file location of one station, resolved once."""

    data_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / DB_NAME

    @property
    def settings(self) -> Path:
        return self.data_dir / SETTINGS_NAME

    @property
    def backups(self) -> Path:
        return self.data_dir / "backups"

    @property
    def exports(self) -> Path:
        return self.data_dir / "exports"


def base_dir(cli_dir: str | None = None) -> Path:
    """``--data-dir`` beats ``MULIN_DATA_DIR`` beats the platform's user data dir."""
    chosen = cli_dir or os.environ.get("MULIN_DATA_DIR")
    if chosen:
        return Path(chosen).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("mulin", appauthor=False))


def resolve(cli_dir: str | None = None, demo: bool = False) -> Paths:
    """The station's paths; the demo station lives in its own ``demo`` folder."""
    base = base_dir(cli_dir)
    return Paths(base / "demo" if demo else base)


def _flatten(raw: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in raw.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{name}."))
        else:
            out[f"{prefix}{name}"] = ",".join(value) if isinstance(value, list) else value
    return out


@dataclass
class LocalSettings:
    """Per-machine preferences read from ``settings.toml`` in the data dir."""

    lang: str = "zh"  # interface language: zh or en
    keymap: dict[str, str] = field(default_factory=dict)  # binding id -> key(s)
    lock_minutes: int = 5  # idle minutes before locking (1-240)
    backup_keep: int = 10  # automatic backups to keep (1-1000)
    hub_url: str = ""  # the street hub, http(s)://HOST:PORT (issue 15)
    hub_token: str = ""  # this station's upload token at the hub
    hub_fallback: str = ""  # sync folder used when the hub is unreachable


@cache
def _file_model() -> Any:
    """The pydantic model that validates ``settings.toml`` (built on first use)."""
    from pydantic import BaseModel, Field, field_validator

    class LocalSettings(BaseModel):  # named as the settings: errors read the same
        lang: str = Field("zh", description="Interface language: zh or en.")
        keymap: dict[str, str] = Field(
            default_factory=dict, description="Binding id -> key(s), overriding the defaults."
        )
        lock_minutes: int = Field(5, ge=1, le=240, description="Idle minutes before locking.")
        backup_keep: int = Field(10, ge=1, le=1000, description="Automatic backups to keep.")
        hub_url: str = Field("", description="The street hub, http(s)://HOST:PORT (issue 15).")
        hub_token: str = Field("", description="This station's upload token at the hub.")
        hub_fallback: str = Field("", description="Sync folder used when the hub is unreachable.")

        @field_validator("keymap", mode="before")
        @classmethod
        def _flat_keymap(cls, raw: Any) -> Any:
            """``nav.back = "x"`` unquoted in TOML is a nested table: flatten it to ids."""
            return _flatten(raw) if isinstance(raw, dict) else raw

    return LocalSettings


class SettingsError(ValueError):
    """settings.toml exists but cannot be used."""


def load_settings(paths: Paths) -> LocalSettings:
    if not paths.settings.exists():
        return LocalSettings()
    import tomllib

    from pydantic import ValidationError

    try:
        raw = tomllib.loads(paths.settings.read_text(encoding="utf-8"))
        valid = _file_model().model_validate(raw)
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise SettingsError(f"{paths.settings}: {exc}") from exc
    return LocalSettings(**{f.name: getattr(valid, f.name) for f in fields(LocalSettings)})
