"""One case: what, who, where, the deadlines, the whole timeline and the evaluations."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from app import keymap
from app.i18n import t
from app.services.cases import views as case_views
from screens.base import MulinScreen
from screens.cases.actions import ACTION_IDS, ACTION_KEYS, CaseActions
from screens.cases.wording import age_text, time_left_text


def _event_text(item: case_views.TimelineItem) -> str:
    data = item.data
    extra = ""
    if item.kind == "dispatched":
        extra = f"→ {data.get('to', '')} ({t('target.' + str(data.get('to_kind', 'person')))})"
    elif item.kind in ("escalated", "deescalated") and data.get("to"):
        extra = f"{t('level.' + str(data.get('from', '')))} → {t('level.' + str(data['to']))}"
    elif item.kind == "evaluated" and data.get("score") is not None:
        extra = t("detail.score", score=data["score"])
    elif item.kind == "merged":
        extra = f"→ {data.get('number', '')}"
    elif item.kind == "received" and data.get("level"):
        extra = t("level." + str(data["level"]))
    return " ".join(x for x in (extra, item.note) if x)


def timeline_table(d: case_views.CaseDetail) -> Table:
    table = Table(box=None, show_header=False, expand=True, padding=(0, 1))
    table.add_column(no_wrap=True, width=11)
    table.add_column(no_wrap=True, width=6)
    table.add_column(no_wrap=True, max_width=8)
    table.add_column(ratio=1)
    for item in d.timeline:
        table.add_row(f"{item.at:%m-%d %H:%M}", t(f"cases.event.{item.kind}"), item.actor,
                      _event_text(item))
    return table


def header_text(d: case_views.CaseDetail) -> Text:
    r = d.row
    out = Text()
    out.append(f"{r.number} ", style="bold")
    out.append(f"[{t(f'colour.{r.colour}')}] ", style={"red": "bold red",
                                                        "yellow": "bold yellow"}.get(r.colour,
                                                                                     "green"))
    out.append(f"{t(f'category.{r.category}')} {d.subcategory_label}  "
               f"{t(f'state.{r.state}')}  {t(f'level.{r.level}')}  {r.grid}\n")
    out.append(t("detail.reporter", name=d.reporter_name or t("detail.anonymous"),
                 phone=d.reporter_phone or "—", place=d.place or "—",
                 channel=t(f"channel.{d.channel}")) + "\n")
    out.append(t("detail.deadlines", age=age_text(r.age_hours()),
                 response=_due(r.due_response), resolution=_due(r.due_resolution)) + "  ")
    out.append_text(time_left_text(r.time_left()))
    out.append("\n" + t("detail.handler", handler=r.handler or "—"))
    if r.mediation:
        out.append("  " + t("detail.mediation", number=r.mediation))
    if d.merged_into:
        out.append("  " + t("detail.merged_into", number=d.merged_into))
    if d.duplicates:
        out.append("  " + t("detail.duplicates", numbers="、".join(d.duplicates)))
    out.append("\n" + r.description)
    return out


def _due(at: Any) -> str:
    from app import clock

    return "—" if at is None else f"{clock.local(at):%m-%d %H:%M}"


def evaluations_text(d: case_views.CaseDetail) -> str:
    lines = []
    for e in d.evaluations:
        if e.kind == "resident":
            lines.append(t("detail.resident_eval", score=e.score, method=t(f"method.{e.method}"),
                           comment=e.comment or ""))
        else:
            lines.append(t("detail.community_eval", timeliness=e.timeliness or "—",
                           quality=e.quality or "—", comment=e.comment or ""))
    return "\n".join(lines) or t("detail.no_evaluation")


def allowed_text(d: case_views.CaseDetail) -> str:
    keys = [f"[b]{ACTION_KEYS[k]}[/b] {t(f'cases.action.{k}')}" for k in d.allowed
            if k in ACTION_KEYS]
    return t("detail.allowed", actions="  ".join(keys) or "—")


@keymap.bound
class CaseDetailScreen(CaseActions, MulinScreen):
    """A case and its timeline; the same action keys as the list."""

    NAME = "case_detail"
    DEFAULT_CSS = """
    #case-header { height: auto; background: $panel; padding: 0 1; }
    .case-allowed { padding: 0 1; color: $accent; }
    #case-timeline, #case-evaluations { padding: 0 1; }
    """
    KEYS = ("nav.back", *ACTION_IDS)

    def __init__(self, case_id: str) -> None:
        super().__init__()
        self.case_id = case_id

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="case-detail"):
            yield Static(id="case-header")
            yield Static(id="case-allowed", classes="case-allowed")
            yield Static(t("detail.timeline"), classes="section-title")
            yield Static(id="case-timeline")
            yield Static(t("detail.evaluations"), classes="section-title")
            yield Static(id="case-evaluations")

    def on_mount(self) -> None:
        self.show()
        self.query_one("#case-detail", VerticalScroll).focus()

    def show(self) -> None:
        d = case_views.detail(self.case_id)
        self.query_one("#case-header", Static).update(header_text(d))
        self.query_one("#case-allowed", Static).update(allowed_text(d))
        self.query_one("#case-timeline", Static).update(timeline_table(d))
        self.query_one("#case-evaluations", Static).update(evaluations_text(d))

    def current_case_id(self) -> str | None:
        return self.case_id

    def current_record(self) -> tuple[str, str] | None:
        """Ctrl+Y: this case's history."""
        return ("case", self.case_id)

    def case_changed(self, case_id: str) -> None:
        self.show()

    def action_back(self) -> None:
        self.dismiss()
