"""Deadlines on Chinese working days: National Day 2026, swapped working weekends (调休)."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from app import clock
from app.services.cases import deadlines
from app.services.cases.deadlines import DeadlineRules, Limit
from app.services.station import settings


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=clock.LOCAL_TZ)


def local(dt: datetime) -> str:
    return f"{clock.local(dt):%Y-%m-%d %H:%M}"


@pytest.mark.parametrize(("colour", "due"), [
    ("red", "2026-10-08 15:00"),     # Oct 1-7 off: the next working day is Thu Oct 8
    ("yellow", "2026-10-09 15:00"),
    ("green", "2026-10-13 15:00"),   # Oct 8, 9, Sat Oct 10 (调休, worked), Mon 12, Tue 13
])
def test_resolution_across_national_day(colour: str, due: str) -> None:
    received = at("2026-09-30 15:00")
    assert local(deadlines.due_resolution(received, colour, "110", DeadlineRules())) == due


def test_swapped_working_saturday_counts_as_a_working_day() -> None:
    assert deadlines.is_workday(at("2026-10-10 00:00").date())  # Saturday, worked
    assert not deadlines.is_workday(at("2026-10-05 00:00").date())  # Monday, holiday
    # received on the swapped Saturday: the clock runs from that day
    assert local(deadlines.add_working_days(at("2026-10-10 09:00"), 1)) == "2026-10-12 09:00"
    # Friday 18 Sep + 1 working day = Sunday 20 Sep (a swapped working Sunday)
    assert local(deadlines.add_working_days(at("2026-09-18 17:00"), 1)) == "2026-09-20 17:00"


def test_received_on_a_holiday_starts_the_next_working_morning() -> None:
    received = at("2026-10-03 10:00")
    assert local(deadlines.add_working_days(received, 1)) == "2026-10-09 00:00"
    assert local(deadlines.add_working_days(received, 2)) == "2026-10-10 00:00"


def test_response_limits_are_clock_minutes() -> None:
    received = at("2026-10-01 23:50")
    rules = DeadlineRules()
    assert local(deadlines.due_response(received, "red", "120", rules)) == "2026-10-02 00:20"
    assert local(deadlines.due_response(received, "green", "114", rules)) == "2026-10-02 03:50"


def test_years_without_a_calendar_fall_back_to_weekends() -> None:
    assert deadlines.calendar_known(2026)
    assert not deadlines.calendar_known(2099)
    friday = at("2099-01-09 10:00")
    assert friday.weekday() == 4
    assert local(deadlines.add_working_days(friday, 1)) == "2099-01-12 10:00"


def test_per_category_limits_from_settings(empty_station: object) -> None:
    rules = DeadlineRules(categories={"114": {"green": Limit(respond_minutes=60,
                                                             resolve_days=1)}})
    settings.put_json(deadlines.SETTING_KEY, json.loads(deadlines.rules_json(rules)))
    loaded = deadlines.rules()
    received = at("2026-11-25 10:00")
    assert local(deadlines.due_resolution(received, "green", "114", loaded)) == \
        "2026-11-26 10:00"
    assert local(deadlines.due_resolution(received, "green", "110", loaded)) == \
        "2026-12-02 10:00"
    assert json.loads(deadlines.rules_json(loaded))["colours"]["red"]["respond_minutes"] == 30


def test_an_unannounced_year_still_skips_its_statutory_holidays() -> None:
    assert not deadlines.calendar_known(2027)
    # 2027-09-30 is a Thursday; National Day (10-01..10-05, estimated) and the weekend
    # are off, so one working day later is Wednesday 10-06.
    assert local(deadlines.add_working_days(at("2027-09-30 10:00"), 1)) == "2027-10-06 10:00"
