"""Dashboard 三率看板: this month's rates, a 12-month trend, and the rates per group."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.widgets import Static

from app import keymap
from app.i18n import t
from app.services.cases import metrics
from screens.base import MulinScreen
from screens.civic.counts import CivicCounts
from screens.widgets.virtual_table import Column, ListSource, Row, VirtualTable

keymap.define("dashboard.prev", "comma", "month(-1)")
keymap.define("dashboard.next", "full_stop", "month(1)")
keymap.define("dashboard.group", "g", "group")
keymap.define("dashboard.export", "x", "export")

BLOCKS = "▁▂▃▄▅▆▇█"


def bars(values: list[float | None], width: int, floor: float | None = None,
         top: float | None = None) -> str:
    """A bar per month, ``width`` cells each, scaled from ``floor`` to ``top`` (default: the
    lowest and highest value). Rates pass 0 and 1: a fixed 0–100% scale, so a steady 100%
    is drawn as full bars and a small dip stays small."""
    known = [v for v in values if v is not None]
    if not known:
        return "·" * len(values) * width
    lo = min(known) if floor is None else floor
    hi = max(known) if top is None else top
    span = hi - lo or 1.0
    out = []
    for v in values:
        level = 0.0 if v is None else max(0.0, min(1.0, (v - lo) / span))
        cell = "·" if v is None else BLOCKS[min(7, int(level * 7.999))]
        out.append(cell * width)
    return "".join(out)


def trend_table(trend: list[metrics.Rates], cell: int) -> Table:
    """One line per measure: the name, a bar per month, this month's value."""
    table = Table(box=None, show_header=True, expand=False, padding=(0, 1),
                  header_style="bold")
    table.add_column(t("dashboard.measure"), no_wrap=True, width=12)
    months = "".join(f"{r.key[5:]:<{cell}}"[:cell] for r in trend)
    table.add_column(months, no_wrap=True)
    table.add_column(t("dashboard.now"), justify="right", no_wrap=True)
    counts = [float(r.received) for r in trend]
    table.add_row(t("dashboard.short.received"), bars(list(counts), cell, 0.0),
                  str(trend[-1].received))
    for name in metrics.RATE_NAMES:
        values = [getattr(r, name) for r in trend]
        style = "bold red" if values[-1] is not None and values[-1] < 0.9 else ""
        table.add_row(t(f"dashboard.short.{name}"), bars(values, cell, 0.0, 1.0),
                      Text(metrics.percent(values[-1]), style=style))
    return table


def group_row(r: metrics.Rates) -> Row:
    return Row(r.key or "—", [r.key or "—", str(r.received),
                              metrics.percent(r.response_rate),
                              metrics.percent(r.on_time_response_rate),
                              metrics.percent(r.resolution_rate),
                              metrics.percent(r.on_time_resolution_rate),
                              metrics.percent(r.satisfaction_rate),
                              metrics.percent(r.within_grid_rate), str(r.overdue)])


@keymap.bound
class DashboardScreen(MulinScreen):
    """The three rates and more, per month; the trend of the last 12 months."""

    NAME = "dashboard"
    KEYS = ("dashboard.prev", "dashboard.next", "dashboard.group", "dashboard.export",
            "app.handover")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__()
        self.month_label = metrics.last_months(1)[0].label
        self.group = "grid"

    def compose_body(self) -> ComposeResult:
        yield Static(id="dash-title", classes="section-title")
        yield Static(id="dash-trend")
        yield CivicCounts(id="dash-civic")  # 民生清单: opinions → items → done per grid
        yield Static(id="dash-group-title", classes="section-title")
        yield VirtualTable([Column(t(f"dashboard.col.{c}"), w) for c, w in (
            ("key", 10), ("received", 5), ("response", 6), ("on_time_response", 6),
            ("resolution", 6), ("on_time_resolution", 6), ("satisfaction", 6),
            ("within_grid", 6), ("overdue", 0))], id="dash-groups")

    def on_mount(self) -> None:
        self.show()
        self.query_one("#dash-groups", VirtualTable).focus()

    def on_screen_resume(self) -> None:
        self.show()

    def on_resize(self) -> None:
        if self._data is not None:
            self._draw(self._data)

    _data: metrics.Dashboard | None = None

    def show(self) -> None:
        """Recompute in a worker (the rates scan a year of cases); draw when done."""
        self._compute(self.community_id, self.month_label, self.group)
        self.query_one(CivicCounts).show(self.community_id)

    @work(thread=True, exclusive=True, group="dashboard")
    def _compute(self, community: str, label: str, group: str) -> None:
        data = metrics.dashboard(community, label, group)
        self.app.call_from_thread(self._draw, data)

    def _draw(self, data: metrics.Dashboard) -> None:
        if (data.period.label, self.group) != (self.month_label, data.groups_by):
            return  # a newer request is on its way
        self._data = data
        period, trend = data.period, data.trend
        total = trend[-1]
        self.query_one("#dash-title", Static).update(t(
            "dashboard.title", month=period.label, received=total.received, open=total.open,
            overdue=total.overdue))
        cell = max(1, min(4, (self.size.width - 28) // 12)) if self.size.width else 1
        self.query_one("#dash-trend", Static).update(trend_table(trend, cell))
        self.query_one("#dash-group-title", Static).update(t(
            "dashboard.by", group=t(f"dashboard.group.{self.group}"), month=period.label))
        self.query_one("#dash-groups", VirtualTable).set_source(
            ListSource([group_row(r) for r in data.groups]))

    def action_month(self, step: int) -> None:
        months = metrics.last_months(240, metrics.month(self.month_label).start)
        if step < 0:
            self.month_label = months[-2].label
        else:
            now = metrics.last_months(1)[0].label
            nxt = metrics.last_months(1, metrics.month(self.month_label).end)[0].label
            self.month_label = min(nxt, now)
        self.show()

    def action_group(self) -> None:
        order = metrics.GROUPINGS
        self.group = order[(order.index(self.group) + 1) % len(order)]
        self.show()

    def action_export(self) -> None:
        self.notify(t("dashboard.exporting", month=self.month_label))
        self._export(self.community_id, self.month_label)

    @work(thread=True, exclusive=True, group="report")
    def _export(self, community: str, label: str) -> None:
        period = metrics.month(label)
        path = metrics.default_report_path(period, "xlsx")
        name = getattr(self.app, "summary", {}).get("community", "")
        try:
            path = metrics.write_report(community, period, "xlsx", path,
                                        title=t("report.title", community=name, month=label))
        except OSError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self.notify, t("dashboard.exported", path=str(path)),
                                  timeout=10)
