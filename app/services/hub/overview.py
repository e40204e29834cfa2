"""The street's communities side by side, and the street's monthly report.

Each community's figures come from the cases service's own rates
(:mod:`app.services.cases.metrics`) run inside that community's schema, so the street
sees exactly what each community's dashboard shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from peewee import Case as When
from peewee import fn

from app import clock
from app.i18n import t
from app.services.cases import metrics
from app.services.hub import database as hubdb
from app.services.hub import street
from models.cases import Case
from models.hub import HubCommunity

TREND_MONTHS = 6


@dataclass(frozen=True)
class CommunityFigures:
    """One community's row on the street desk (plain values)."""

    community_id: str
    name: str
    rates: metrics.Rates
    red_open: int
    overdue: int
    at_street: int
    trend: str  # sparkline of the on-time resolution rate, oldest month first


def _open_counts() -> tuple[int, int]:
    """Open red cases, and open cases past a deadline now (whenever they were received),
    in one pass over the open cases."""
    now = clock.to_storage(clock.now())
    late = (Case.due_resolution < now) | (Case.responded_at.is_null()
                                          & (Case.due_response < now))
    row: Any = (Case.select(fn.SUM(When(None, [(Case.colour == "red", 1)], 0)),
                            fn.SUM(When(None, [(late, 1)], 0)))
                .where((Case.open_rank < 9) & (Case.deleted == False))  # noqa: E712
                .tuples().get())
    return int(row[0] or 0), int(row[1] or 0)


def figures(community: HubCommunity, period: metrics.Period,
            today: date | None = None) -> CommunityFigures:
    hubdb.activate(community)
    trend = metrics.trend(community.id, TREND_MONTHS, today or period.start)
    # the trend's last month is the period itself whenever it ends there: one pass
    total = trend[-1] if trend and trend[-1].key == period.label \
        else metrics.total(community.id, period)
    red, overdue = _open_counts()
    waiting = len(street.queue(community, activated=True))
    return CommunityFigures(community.id, community.name or community.id[:8], total, red,
                            overdue, waiting,
                            metrics.spark(r.on_time_resolution_rate for r in trend))


def street_figures(label: str | None = None) -> tuple[metrics.Period, list[CommunityFigures]]:
    """Every joined community for the month ``label`` (default: this month)."""
    period = metrics.month(label or f"{clock.today():%Y-%m}")
    return period, [figures(c, period) for c in hubdb.communities()]


# -- the street's monthly report -----------------------------------------------------------
def _label(name: str) -> str:
    return t(f"hub.report.{name}") if name in ("community", "red_open", "at_street") \
        else metrics.report_label(name)


def report_header() -> list[str]:
    return [_label("community"), *metrics.report_header(metrics.report_label)[1:],
            _label("red_open"), _label("at_street")]


def report_row(f: CommunityFigures) -> list[Any]:
    return [f.name, *metrics._cells(f.rates)[1:], f.red_open, f.at_street]


def write_report(label: str, path: Path) -> Path:
    """``mulin hub report --month YYYY-MM --format xlsx``: one row per community."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    period, rows = street_figures(label)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = t("hub.report.sheet")
    ws.append([t("hub.report.title", month=period.label)])
    ws["A1"].font = Font(bold=True)
    ws.append(report_header())
    for f in rows:
        ws.append(report_row(f))
    first_rate = 2 + len(metrics.COUNT_NAMES)
    for cells in ws.iter_rows(min_row=3, min_col=first_rate, max_col=first_rate + 5):
        for cell in cells:
            cell.number_format = "0.0%"
    ws.column_dimensions["A"].width = 16
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    wb.save(part)
    part.replace(path)
    return path
