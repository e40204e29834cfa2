"""The three rates and more (响应率 解决率 满意率 …), per grid, handler, category and month.

Definitions (also in the dashboard help). A case belongs to the period in which it was
*received* (local time). Cancelled and merged cases are left out of every count.

* received 受理数 — cases received in the period;
* response rate 响应率 — responded / received;
* on-time response rate 按时响应率 — responded by the response deadline / received;
* resolution rate 解决率 — resolved (resolved, evaluated or closed) / received;
* on-time resolution rate 按时办结率 — resolved by the resolution deadline / received;
* satisfaction rate 满意率 — cases whose latest resident rating is 4 or 5 / cases rated;
* within the grid 小事不出网格 — resolved cases still at the grid level / resolved.

Figures are computed from the derived case columns, so they move as soon as an action
is recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from app import clock
from app.i18n import t
from app.services.trust.sealed import Written, write_export
from models.db import db
from models.places import Grid

EXCLUDED = ("cancelled", "merged")
RESOLVED = ("resolved", "evaluated", "closed")
GROUPINGS = ("grid", "handler", "category", "level")
SATISFIED = 4


@dataclass
class Rates:
    """Counts for one group and the rates they give (None when nothing to divide by)."""

    key: str = ""
    received: int = 0
    responded: int = 0
    responded_on_time: int = 0
    resolved: int = 0
    resolved_on_time: int = 0
    rated: int = 0
    satisfied: int = 0
    within_grid: int = 0
    open: int = 0
    overdue: int = 0

    @staticmethod
    def _ratio(a: int, b: int) -> float | None:
        return a / b if b else None

    @property
    def response_rate(self) -> float | None:
        return self._ratio(self.responded, self.received)

    @property
    def on_time_response_rate(self) -> float | None:
        return self._ratio(self.responded_on_time, self.received)

    @property
    def resolution_rate(self) -> float | None:
        return self._ratio(self.resolved, self.received)

    @property
    def on_time_resolution_rate(self) -> float | None:
        return self._ratio(self.resolved_on_time, self.received)

    @property
    def satisfaction_rate(self) -> float | None:
        return self._ratio(self.satisfied, self.rated)

    @property
    def within_grid_rate(self) -> float | None:
        return self._ratio(self.within_grid, self.resolved)


RATE_NAMES = ("response_rate", "on_time_response_rate", "resolution_rate",
              "on_time_resolution_rate", "satisfaction_rate", "within_grid_rate")


@dataclass
class Period:
    """A span of local days [start, end) and its label (e.g. ``2026-11``)."""

    label: str
    start: date
    end: date

    def bounds(self) -> tuple[datetime, datetime]:
        return (clock.to_storage(datetime.combine(self.start, time(0), clock.LOCAL_TZ)),
                clock.to_storage(datetime.combine(self.end, time(0), clock.LOCAL_TZ)))


def month(label: str) -> Period:
    """``2026-11`` -> the period of that month; ValueError when malformed."""
    year, mon = (int(x) for x in label.split("-"))
    start = date(year, mon, 1)
    end = date(year + (mon == 12), mon % 12 + 1, 1)
    return Period(f"{year:04d}-{mon:02d}", start, end)


def last_months(n: int = 12, today: date | None = None) -> list[Period]:
    """The last ``n`` months, oldest first, ending with the current one."""
    today = today or clock.today()
    y, m = today.year, today.month
    out = []
    for _ in range(n):
        out.append(month(f"{y}-{m}"))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out[::-1]


#: A case counted as overdue now: open and past a deadline (both ``?`` are now).
OVERDUE_SQL = ("c.open_rank < 9 AND (c.due_resolution < ? "
               "OR (c.responded_at IS NULL AND c.due_response < ?))")

#: The latest resident rating of case ``c`` (``{t}``: as in :data:`_FACTS_SQL`).
_SCORE_SQL = """(SELECT e.score FROM {t}evaluation e WHERE e.case_id = c.id
  AND e.kind = 'resident' ORDER BY e.at DESC, e.id DESC LIMIT 1)"""

#: One row per case received in the period: the facts every count is made of.
#: ``{t}`` qualifies the tables (empty for the current database or schema).
_FACTS_SQL = """
SELECT c.grid_id, c.handler, c.category, c.level, c.state, c.received_at,
       c.responded_at IS NOT NULL AS responded,
       c.due_response IS NULL OR c.responded_at <= c.due_response AS responded_ok,
       c.resolved_at IS NOT NULL AND c.state IN ('resolved', 'evaluated', 'closed')
           AS resolved,
       c.due_resolution IS NULL OR c.resolved_at <= c.due_resolution AS resolved_ok,
       """ + OVERDUE_SQL + """ AS late, {score} AS score
FROM {t}"case" c
WHERE c.community_id = ? AND c.deleted = 0 AND c.received_at >= ? AND c.received_at < ?
  AND c.state NOT IN ('cancelled', 'merged')
"""

#: What each count adds up, case by case (the rules of the rates, in one place).
COUNT_RULES = {
    "received": "1 = 1",
    "responded": "f.responded",
    "responded_on_time": "f.responded AND f.responded_ok",
    "resolved": "f.resolved",
    "resolved_on_time": "f.resolved AND f.resolved_ok",
    "rated": "f.score IS NOT NULL",
    "satisfied": f"f.score >= {SATISFIED}",
    "within_grid": "f.resolved AND f.level = 'grid'",
    "open": "f.state NOT IN ('resolved', 'evaluated', 'closed')",
    "overdue": "f.late",
}

#: The group of a case for ``rates(by=…)``.
GROUP_KEYS = {"grid": "COALESCE(f.grid_id, '')", "handler": "f.handler",
              "category": "f.category", "level": "f.level"}


def _stored(at: datetime) -> str:
    return at.isoformat(sep=" ")


def counts_query(community_id: str, period: Period, key: str = "''",
                 key_params: Iterable[str] = (), tables: str = "", ratings: bool = True
                 ) -> tuple[str, list[str]]:
    """The counts of :data:`COUNT_RULES` per group ``key`` (an expression over the facts
    ``f``, with its parameters) of the cases received in ``period``: one query (its SQL
    and parameters) whose rows are the key, then the counts in :data:`COUNT_NAMES` order.
    The facts are read once (``MATERIALIZED``: a rating is looked up once per case, and
    not at all without ``ratings``: ``rated`` and ``satisfied`` then stay 0)."""
    sums = ", ".join(f"SUM(CASE WHEN {rule} THEN 1 ELSE 0 END) AS {name}"
                     for name, rule in COUNT_RULES.items())
    score = _SCORE_SQL.format(t=tables) if ratings else "CAST(NULL AS INTEGER)"
    sql = (f"WITH f AS MATERIALIZED ({_FACTS_SQL.format(t=tables, score=score)}) "
           f"SELECT {key} AS k, {sums} FROM f GROUP BY 1")
    start, end = period.bounds()
    return sql, [*overdue_params(), community_id, _stored(start), _stored(end), *key_params]


def overdue_params() -> tuple[str, str]:
    """The parameters of :data:`OVERDUE_SQL`: now, twice."""
    return (_stored(clock.to_storage(clock.now())),) * 2


def to_rates(key: Any, counts: Iterable[Any]) -> Rates:
    """A row of :func:`counts_query` (its counts, after the key) as :class:`Rates`."""
    return Rates(key, *(int(n or 0) for n in counts))


def month_key(periods: list[Period]) -> tuple[str, list[str]]:
    """A key expression (and its parameters) numbering ``periods`` (consecutive, oldest
    first) 0, 1, … by when a case was received."""
    bounds = [_stored(p.bounds()[1]) for p in periods[:-1]]
    whens = " ".join(f"WHEN f.received_at < ? THEN {i}" for i in range(len(bounds)))
    return (f"CASE {whens} ELSE {len(bounds)} END" if bounds else "0"), bounds


def _counts(community_id: str, period: Period, key: str = "''",
            key_params: Iterable[str] = ()) -> list[Rates]:
    cursor = db.execute_sql(*counts_query(community_id, period, key, key_params))
    return [to_rates(k, counts) for k, *counts in cursor]


def rates(community_id: str, period: Period, by: str | None = None) -> list[Rates]:
    """One row for the whole community, or one per grid / handler / category / level."""
    if by is None:
        found = _counts(community_id, period)
        total = found[0] if found else Rates()
        total.key = period.label
        return [total]
    rows = _counts(community_id, period, GROUP_KEYS[by])
    if by == "grid":
        names = {g.id: (g.number, g.name) for g in Grid.select(Grid.id, Grid.number, Grid.name)
                 .where(Grid.community == community_id)}
        rows.sort(key=lambda r: names.get(r.key, (999, ""))[0])
        for r in rows:
            r.key = names.get(r.key, (0, r.key or t("report.no_grid")))[1]
    else:
        order = {"level": ("grid", "community", "street", "district")}.get(by, ())
        rows.sort(key=lambda r: (order.index(r.key) if r.key in order else 9, r.key))
        for r in rows:
            r.key = group_label(by, r.key)
    return rows


def group_label(by: str, key: str) -> str:
    """A group's name in words: ``110 有求必应``, ``网格``, ``未派单`` — never a raw code."""
    if by == "category":
        return f"{key} {t(f'category.{key}')}" if key else t("report.no_category")
    if by == "level":
        return t(f"level_full.{key}") if key else "—"
    if by == "handler":
        return key or t("report.unassigned")
    return key or "—"


def total(community_id: str, period: Period) -> Rates:
    return rates(community_id, period)[0]


def trend(community_id: str, months: int = 12, today: date | None = None) -> list[Rates]:
    """Whole-community figures for each of the last ``months`` months (oldest first)."""
    periods = last_months(months, today)
    key, params = month_key(periods)
    out = [Rates(key=p.label) for p in periods]
    for r in _counts(community_id, Period("", periods[0].start, periods[-1].end), key,
                     params):
        i = int(r.key)
        r.key, out[i] = out[i].key, r
    return out


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def spark(values: Iterable[float | None]) -> str:
    """A text sparkline (one block per value, ``·`` for no data), scaled 0..100%."""
    blocks = "▁▂▃▄▅▆▇█"
    out = []
    for v in values:
        out.append("·" if v is None else blocks[min(7, int(v * 8))])
    return "".join(out)


# -- the monthly report ------------------------------------------------------------------
COUNT_NAMES = ("received", "responded", "responded_on_time", "resolved", "resolved_on_time",
               "rated", "satisfied", "within_grid", "open", "overdue")
SECTIONS = ("total", *GROUPINGS)


def report_rows(community_id: str, period: Period) -> dict[str, list[Rates]]:
    """The monthly report: the community total, then per grid, handler, category, level."""
    out = {"total": rates(community_id, period)}
    for by in GROUPINGS:
        out[by] = rates(community_id, period, by)
    return out


def _cells(r: Rates) -> list[Any]:
    counts: list[Any] = [getattr(r, n) for n in COUNT_NAMES]
    ratios: list[Any] = [None if getattr(r, n) is None else round(getattr(r, n), 4)
                         for n in RATE_NAMES]
    return [r.key, *counts, *ratios]


def report_header(label: Any) -> list[str]:
    """Column titles, through ``label(name)`` (the catalog lookup of the caller)."""
    return [label("key"), *(label(n) for n in COUNT_NAMES), *(label(n) for n in RATE_NAMES)]


def report_label(name: str) -> str:
    return t(f"report.{name}")


def default_report_path(period: Period, fmt: str) -> Path:
    """``exports/report-2026-11.xlsx`` next to the station's database."""
    return Path(str(db.database)).parent / "exports" / f"report-{period.label}.{fmt}"


def write_report(community_id: str, period: Period, fmt: str, path: Path,
                 label: Any = report_label, title: str = "", plain: bool = False) -> Path:
    """Write the monthly report as ``xlsx`` (one sheet per section) or ``csv``, sealed
    unless ``plain`` (:mod:`app.services.trust.sealed`); returns the file."""
    return export_report(community_id, period, fmt, path, label, title, plain).path


def export_report(community_id: str, period: Period, fmt: str, path: Path,
                  label: Any = report_label, title: str = "", plain: bool = False
                  ) -> Written:
    """The monthly report on disk, and how many residents it names."""
    if fmt not in ("csv", "xlsx"):
        raise ValueError(fmt)
    with db.connection_context() if db.is_closed() else nullcontext():  # worker threads
        tables = report_rows(community_id, period)
    text = _csv_text(tables, label)
    data = ("\ufeff" + text).encode("utf-8") if fmt == "csv" else \
        _xlsx_bytes(tables, label, title or period.label)
    return write_export(path, data, text, plain)


def _csv_text(tables: dict[str, list[Rates]], label: Any) -> str:
    import csv
    import io

    fh = io.StringIO(newline="")
    w = csv.writer(fh)
    w.writerow([label("section"), *report_header(label)])
    for section, rows in tables.items():
        for r in rows:
            w.writerow([label(f"section.{section}"), *_cells(r)])
    return fh.getvalue()


def _xlsx_bytes(tables: dict[str, list[Rates]], label: Any, title: str) -> bytes:
    import io

    fh = io.BytesIO()
    _write_xlsx(tables, fh, label, title)
    return fh.getvalue()


def _write_xlsx(tables: dict[str, list[Rates]], path: Any, label: Any, title: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    for section, rows in tables.items():
        ws = wb.create_sheet(label(f"section.{section}"))
        ws.append([f"{title} {label(f'section.{section}')}"])
        ws["A1"].font = Font(bold=True)
        ws.append(report_header(label))
        for r in rows:
            ws.append(_cells(r))
        first_rate = 2 + len(COUNT_NAMES)
        for row in ws.iter_rows(min_row=3, min_col=first_rate, max_col=first_rate + 5):
            for cell in row:
                cell.number_format = "0.0%"
        ws.column_dimensions["A"].width = 16
    wb.save(path)


@dataclass
class Dashboard:
    """What the dashboard shows for one month and grouping."""

    period: Period
    trend: list[Rates]
    groups: list[Rates]
    groups_by: str


_dashboards: dict[tuple[str, str, str, int], Dashboard] = {}


def data_version() -> int:
    """Grows with every logged change (local or imported): a cheap cache key."""
    return int(db.execute_sql("SELECT max(rowid) FROM change").fetchone()[0] or 0)


def dashboard(community_id: str, label: str, by: str) -> Dashboard:
    """The month's trend and groups, computed once per data version (safe in a worker)."""
    in_worker = db.is_closed()
    with db.connection_context() if in_worker else nullcontext():
        if in_worker:  # a short-lived connection: a small page cache keeps peak memory low
            db.execute_sql("PRAGMA cache_size = -256")
        key = (community_id, label, by, data_version())
        cached = _dashboards.get(key)
        if cached is None:
            period = month(label)
            cached = Dashboard(period, trend(community_id, 12, period.start),
                               rates(community_id, period, by), by)
            _dashboards.clear()  # one entry per view is enough; old versions are stale
            _dashboards[key] = cached
        return cached
