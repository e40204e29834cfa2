"""The rates on a small fixture checked by hand, the monthly report file, the handover."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app import clock, store
from app.cli import main
from app.config import Paths
from app.services.cases import handover, metrics
from app.services.cases import lifecycle as cases
from models.places import Community, Grid

NOV = metrics.month("2026-11")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=clock.LOCAL_TZ).astimezone(UTC)


@pytest.fixture
def month_of_cases(empty_station: Paths, fixed_clock: clock.FixedClock) -> Paths:
    """Five cases, checked by hand:

    A grid 1, red: responded in 10 min, resolved same day (on time), rated 5.
    B grid 1, yellow: responded late, escalated, resolved a day late, rated 2.
    C grid 2, green: responded on time, still open and past its 5-working-day limit.
    D grid 2: cancelled (left out).  E: received in October (left out of November).
    """
    with store.write() as tx:
        tx.insert(Community, id="community-test", name="测试社区")
        tx.insert(Grid, id="g1", community="community-test", number=1, name="第1网格")
        tx.insert(Grid, id="g2", community="community-test", number=2, name="第2网格")

    def when(text: str) -> None:
        fixed_clock.at = at(text)

    def new(text: str, **values: object) -> str:
        when(text)
        return cases.intake({"description": "测试", **values}, "community-test").id

    def run(case_id: str, steps: list[tuple[str, str, dict[str, str]]]) -> None:
        for time_text, kind, details in steps:
            when(time_text)
            cases.act(case_id, kind, **details)

    a = new("2026-11-02 09:00", category="110", colour="red", grid_id="g1")
    run(a, [("2026-11-02 09:10", "responded", {}),
            ("2026-11-02 09:20", "dispatched", {"to": "李伟友"}),
            ("2026-11-02 09:30", "signed", {}),
            ("2026-11-02 15:00", "resolved", {"note": "已修好"})])
    when("2026-11-02 18:00")
    cases.evaluate(a, {"score": 5})
    b = new("2026-11-03 09:00", category="122", colour="yellow", grid_id="g1")
    run(b, [("2026-11-03 14:00", "responded", {}),
            ("2026-11-03 15:00", "escalated", {"note": "需社区协调"}),
            ("2026-11-03 16:00", "dispatched", {"to": "张敏"}),
            ("2026-11-03 17:00", "signed", {}),
            ("2026-11-06 10:00", "resolved", {"note": "已调解"})])
    when("2026-11-06 12:00")
    cases.evaluate(b, {"score": 2, "method": "visit"})
    c = new("2026-11-04 09:00", category="114", colour="green", grid_id="g2")
    run(c, [("2026-11-04 09:30", "responded", {})])
    d = new("2026-11-05 09:00", category="119", colour="green", grid_id="g2")
    run(d, [("2026-11-05 09:05", "cancelled", {"note": "重复来电"})])
    e = new("2026-10-30 09:00", category="110", colour="green", grid_id="g1")
    run(e, [("2026-10-30 09:10", "responded", {})])
    when("2026-11-25 10:00")
    return empty_station


def test_rates_on_a_hand_checked_month(month_of_cases: Paths) -> None:
    r = metrics.total("community-test", NOV)
    assert (r.received, r.responded, r.responded_on_time, r.resolved, r.resolved_on_time,
            r.rated, r.satisfied, r.within_grid, r.open, r.overdue) == \
        (3, 3, 2, 2, 1, 2, 1, 1, 1, 1)
    assert r.response_rate == 1.0
    assert r.on_time_response_rate == pytest.approx(2 / 3)
    assert r.resolution_rate == pytest.approx(2 / 3)
    assert r.on_time_resolution_rate == pytest.approx(1 / 3)
    assert r.satisfaction_rate == 0.5
    assert r.within_grid_rate == 0.5


def test_rates_per_grid_handler_category(month_of_cases: Paths) -> None:
    grids = {r.key: r for r in metrics.rates("community-test", NOV, "grid")}
    assert list(grids) == ["第1网格", "第2网格"]
    assert (grids["第1网格"].received, grids["第1网格"].resolved,
            grids["第1网格"].satisfaction_rate) == (2, 2, 0.5)
    assert (grids["第2网格"].received, grids["第2网格"].resolution_rate,
            grids["第2网格"].overdue) == (1, 0.0, 1)
    handlers = {r.key: r.resolved for r in metrics.rates("community-test", NOV, "handler")}
    assert handlers == {"未派单": 0, "张敏": 1, "李伟友": 1}  # never an empty name
    categories = {r.key: r.received for r in metrics.rates("community-test", NOV, "category")}
    assert categories == {"110 有求必应": 1, "114 有问必答": 1, "122 有堵必疏": 1}
    october = metrics.total("community-test", metrics.month("2026-10"))
    assert (october.received, october.resolved) == (1, 0)


def test_trend_covers_twelve_months(month_of_cases: Paths) -> None:
    trend = metrics.trend("community-test")
    assert [r.key for r in trend][-2:] == ["2026-10", "2026-11"]
    assert len(trend) == 12 and trend[0].key == "2025-12"
    assert trend[-1].received == 3


def test_report_xlsx_opened_and_checked(month_of_cases: Paths, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "nov.xlsx"
    assert main(["--data-dir", str(month_of_cases.data_dir), "report", "--month", "2026-11",
                 "--format", "xlsx", "--out", str(out), "--plain"]) == 0
    wb = load_workbook(out)
    assert wb.sheetnames == ["全社区", "按网格", "按承办人", "按类别", "按层级"]
    total = wb["全社区"]
    header = [c.value for c in total[2]]
    row = dict(zip(header, [c.value for c in total[3]], strict=True))
    assert row["受理数"] == 3 and row["办结数"] == 2 and row["超时未结数"] == 1
    assert row["响应率"] == 1.0 and row["满意率"] == 0.5
    assert row["按时办结率"] == pytest.approx(0.3333)
    assert total.cell(3, header.index("解决率") + 1).number_format == "0.0%"
    grids = [[c.value for c in r] for r in wb["按网格"].iter_rows(min_row=3)]
    assert [(g[0], g[1]) for g in grids] == [("第1网格", 2), ("第2网格", 1)]


def test_report_csv(month_of_cases: Paths, tmp_path: Path,
                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "nov.csv"
    assert main(["--data-dir", str(month_of_cases.data_dir), "report", "--month", "2026-11",
                 "--format", "csv", "--out", str(out), "--plain"]) == 0
    assert "受理 3" in capsys.readouterr().out
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert rows[0][:3] == ["部分", "分组", "受理数"]
    assert rows[1][:3] == ["全社区", "2026-11", "3"]
    assert main(["--data-dir", str(month_of_cases.data_dir), "report", "--month", "11-2026",
                 "--format", "csv"]) == 2


def test_handover_lists_red_late_and_due(month_of_cases: Paths,
                                         fixed_clock: clock.FixedClock) -> None:
    fixed_clock.at = at("2026-11-25 10:00")
    red = cases.intake({"category": "120", "description": "老人摔倒"}, "community-test")
    sheet = handover.build("community-test")
    assert [r.number for r in sheet.open_red] == [red.number]
    assert len(sheet.overdue) == 2  # C (late since 11-11) and E (from October)
    assert [r.number for r in sheet.due_soon] == [red.number]  # respond within 30 minutes
    handover.save_note("3号楼停电已恢复，注意回访", "值班员")
    text = handover.as_text(handover.build("community-test"))
    assert "3号楼停电已恢复" in text and red.number in text
