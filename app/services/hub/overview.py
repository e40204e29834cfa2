"""The street's communities side by side, and the street's monthly report.

Each community's figures come from the cases service's own rates
(:mod:`app.services.cases.metrics`) run inside that community's schema, so the street
sees exactly what each community's dashboard shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app import clock
from app.i18n import t
from app.services.cases import metrics
from app.services.hub import database as hubdb
from app.services.hub import street
from models.db import db
from models.hub import HubCommunity
from models.pg import qualified

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


def _union(parts: list[str]) -> str:
    return " UNION ALL ".join(parts)


def _trends(communities: list[HubCommunity], periods: list[metrics.Period]
            ) -> list[list[metrics.Rates]]:
    """Each community's figures for each of ``periods`` (consecutive, oldest first): the
    cases service's own counts, run in every community's schema by one query. Only the
    last period's counts are complete: the earlier ones are for the trend's on-time
    resolution rate and look no rating up (their ``rated`` and ``satisfied`` are 0)."""
    earlier, last = periods[:-1], periods[-1]
    key, key_params = metrics.month_key(earlier)
    parts: list[str] = []
    params: list[Any] = []

    def add(n: int, sql: str, more: list[str]) -> None:
        parts.append(f"SELECT {n} AS n, q.* FROM ({sql}) q")
        params.extend(more)

    for n, c in enumerate(communities):
        tables = qualified(c.schema_name) + "."
        if earlier:
            add(n, *metrics.counts_query(
                c.id, metrics.Period("", earlier[0].start, earlier[-1].end), key,
                key_params, tables, ratings=False))
        add(n, *metrics.counts_query(c.id, last, str(len(earlier)), (), tables))
    out = [[metrics.Rates(key=p.label) for p in periods] for _ in communities]
    for n, k, *counts in db.execute_sql(_union(parts), params):
        out[int(n)][int(k)] = metrics.to_rates(periods[int(k)].label, counts)
    return out


def _open_counts(communities: list[HubCommunity]) -> list[tuple[int, int, int]]:
    """Per community: open red cases, open cases past a deadline now (whenever they were
    received) and cases waiting at the street (:data:`street.WAITING_SQL`), in one pass
    over the open cases of every community."""
    now = metrics.overdue_params()
    parts: list[str] = []
    params: list[Any] = []
    for n, c in enumerate(communities):
        parts.append(f"SELECT {n} AS n, "
                     "SUM(CASE WHEN c.colour = 'red' THEN 1 ELSE 0 END), "
                     f"SUM(CASE WHEN {metrics.OVERDUE_SQL} THEN 1 ELSE 0 END), "
                     f"SUM(CASE WHEN {street.WAITING_SQL} THEN 1 ELSE 0 END) "
                     f'FROM {qualified(c.schema_name)}."case" c '
                     "WHERE c.community_id = ? AND c.open_rank < 9 AND c.deleted = 0")
        params += [*now, c.id]
    out = [(0, 0, 0)] * len(communities)
    for n, red, late, waiting in db.execute_sql(_union(parts), params):
        out[int(n)] = (int(red or 0), int(late or 0), int(waiting or 0))
    return out


def figures_of(communities: list[HubCommunity], period: metrics.Period
               ) -> list[CommunityFigures]:
    """The street desk's rows: ``period``'s figures (the last month of the trend), red and
    overdue counts and the street's waiting cases now, per community."""
    if not communities:
        return []
    with db.atomic():
        # PostgreSQL's JIT would compile the long union of ten communities for longer than
        # it runs (a second at street scale)
        db.execute_sql("SET LOCAL jit = off")
        trends = _trends(communities, metrics.last_months(TREND_MONTHS, period.start))
        opens = _open_counts(communities)
    out = []
    for c, trend, (red, overdue, waiting) in zip(communities, trends, opens, strict=True):
        out.append(CommunityFigures(c.id, c.name or c.id[:8], trend[-1], red, overdue,
                                    waiting,
                                    metrics.spark(r.on_time_resolution_rate for r in trend)))
    return out


def street_figures(label: str | None = None) -> tuple[metrics.Period, list[CommunityFigures]]:
    """Every joined community for the month ``label`` (default: this month)."""
    period = metrics.month(label or f"{clock.today():%Y-%m}")
    return period, figures_of(hubdb.communities(), period)


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
