"""Deadlines: response and resolution limits per colour, counted on Chinese working days.

Working days follow the mainland China holiday calendar, swapped working weekends
(调休) included, from the ``chinesecalendar`` package. For a year the package does not
know yet (it covers the years the State Council has announced), days fall back to
Monday–Friday less the statutory public holidays computed by the ``holidays`` package
(without the swapped working weekends, which only the official notice fixes), and
:func:`calendar_known` says so, so the screens can warn.

Rules (kept in the community setting ``cases.deadlines``, per colour with optional
per-category overrides):

* the response limit is in clock minutes (the desk answers around the clock);
* the resolution limit is in working days: the deadline is the same clock time on the
  N-th working day after the day of receipt; a case received on a day off starts
  counting at 00:00 of the next working day, so "1 working day" ends at its midnight.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from functools import cache

from pydantic import BaseModel, Field, ValidationError

from app import clock
from app.services.station import settings

SETTING_KEY = "cases.deadlines"
COLOURS = ("red", "yellow", "green")


class Limit(BaseModel):
    """How fast a case must be answered and resolved."""

    respond_minutes: int = Field(ge=1, le=7 * 24 * 60, description="Clock minutes to respond.")
    resolve_days: int = Field(ge=1, le=60, description="Working days to resolve.")


class DeadlineRules(BaseModel):
    """Limits per colour, and per category (110 …) overriding some colours."""

    colours: dict[str, Limit] = Field(default_factory=lambda: {
        "red": Limit(respond_minutes=30, resolve_days=1),
        "yellow": Limit(respond_minutes=240, resolve_days=2),
        "green": Limit(respond_minutes=240, resolve_days=5),
    })
    categories: dict[str, dict[str, Limit]] = Field(default_factory=dict)

    def limit(self, colour: str, category: str = "") -> Limit:
        override = self.categories.get(category, {}).get(colour)
        return override or self.colours.get(colour) or self.colours["green"]


def rules() -> DeadlineRules:
    """The community's rules, or the defaults when none (or an unreadable value) is set."""
    value = settings.get_json(SETTING_KEY)
    if value is None:
        return DeadlineRules()
    try:
        return DeadlineRules.model_validate(value)
    except ValidationError:
        return DeadlineRules()


def rules_json(r: DeadlineRules) -> str:
    return json.dumps(r.model_dump(), sort_keys=True)


@cache
def calendar_known(year: int) -> bool:
    """True when the holiday calendar knows ``year`` (else weekends only)."""
    import chinese_calendar

    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@cache
def is_workday(day: date) -> bool:
    """A working day at the station: holidays off, swapped weekends (调休) on."""
    if not calendar_known(day.year):
        return day.weekday() < 5 and day not in _statutory_holidays(day.year)
    import chinese_calendar

    return bool(chinese_calendar.is_workday(day))


@cache
def _statutory_holidays(year: int) -> frozenset[date]:
    """Public holidays of a year the official calendar does not cover yet (estimated)."""
    import holidays

    return frozenset(holidays.country_holidays("CN", years=year))


def next_workday(day: date) -> date:
    day += timedelta(days=1)
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def add_working_days(start: datetime, days: int) -> datetime:
    """``start`` (aware) moved forward by ``days`` working days, in local time."""
    local = clock.local(start)
    if not is_workday(local.date()):
        day = next_workday(local.date())
        for _ in range(days - 1):
            day = next_workday(day)
        return datetime.combine(day + timedelta(days=1), time(0), clock.LOCAL_TZ)
    day = local.date()
    for _ in range(days):
        day = next_workday(day)
    return datetime.combine(day, local.time(), clock.LOCAL_TZ)


def due_response(received: datetime, colour: str, category: str = "",
                 r: DeadlineRules | None = None) -> datetime:
    limit = (r or rules()).limit(colour, category)
    return clock.local(received) + timedelta(minutes=limit.respond_minutes)


def due_resolution(start: datetime, colour: str, category: str = "",
                   r: DeadlineRules | None = None) -> datetime:
    limit = (r or rules()).limit(colour, category)
    return add_working_days(start, limit.resolve_days)


def hours_left(due: datetime | None, now: datetime | None = None) -> float | None:
    """Hours from now until ``due`` (negative once overdue)."""
    if due is None:
        return None
    return (clock.local(due) - clock.local(now or clock.now())).total_seconds() / 3600
