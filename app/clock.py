"""The clock: one place that says what time it is, fixable for tests and snapshots.

``MULIN_NOW`` (ISO 8601, e.g. ``2026-11-25T09:30:00+08:00``) freezes the clock for a
whole process; tests call :func:`set_clock`.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


class Clock:
    """Wall-clock time, always timezone-aware UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock(Clock):
    """A clock that only moves when told to."""

    def __init__(self, at: datetime) -> None:
        self.at = at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    def advance(self, delta: timedelta) -> None:
        self.at += delta


def _from_env() -> Clock:
    fixed = os.environ.get("MULIN_NOW")
    if fixed:
        at = datetime.fromisoformat(fixed)
        return FixedClock(at if at.tzinfo else at.replace(tzinfo=LOCAL_TZ))
    return Clock()


_clock: Clock = _from_env()


def set_clock(clock: Clock) -> None:
    global _clock
    _clock = clock


def now() -> datetime:
    """Now, as an aware UTC datetime."""
    return _clock.now()


def today() -> date:
    """Today's date at the station (Asia/Shanghai)."""
    return now().astimezone(LOCAL_TZ).date()


def to_storage(at: datetime) -> datetime:
    """An aware datetime as the naive UTC value the database stores."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=LOCAL_TZ)
    return at.astimezone(UTC).replace(tzinfo=None)


def local(at: datetime) -> datetime:
    """A stored naive-UTC (or aware) datetime in the station's local time."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(LOCAL_TZ)
