"""Mediation screen (调解): records by status, overdue follow-ups first; start a new
record, or one from a dispute case; residents' conventions one key away."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.widgets import Static

from app import keymap
from app.i18n import t
from app.services.mediation import views as mediation_views
from screens.base import MulinScreen
from screens.mediation.case_search import CaseSearchDialog
from screens.mediation.conventions import ConventionsScreen
from screens.mediation.detail import MediationDetailScreen
from screens.mediation.forms import mediation_form
from screens.widgets.virtual_table import Column, FuncSource, Row, VirtualTable

keymap.define("mediation.from_case", "c", "from_case")
keymap.define("mediation.conventions", "v", "conventions")

FILTERS: tuple[str | None, ...] = (None, *mediation_views.STATUSES)


def mediation_row(m: mediation_views.MediationRow) -> Row:
    late = Text(t("med.overdue_n", n=m.overdue), style="bold") if m.overdue else Text("")
    style = "red" if m.overdue else ("dim" if m.status in ("failed", "referred") else "")
    title = f"{m.title}　{m.parties}" if m.parties else m.title
    return Row(m.id, [m.number, t(f"mediation.status.{m.status}"), late,
                      m.opened_on.isoformat(), t(f"med.type_short.{m.dispute_type}"), title],
               style=style)


@keymap.bound
class MediationScreen(MulinScreen):
    """Every mediation record of the community."""

    NAME = "mediation"
    KEYS = ("nav.open", "nav.new", "mediation.from_case", "nav.filter",
            "mediation.conventions")

    def __init__(self) -> None:
        super().__init__()
        self.status_filter: str | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(id="mediation-summary", classes="section-title")
        yield VirtualTable([Column(t("med.col.number"), 14), Column(t("med.col.status"), 8),
                            Column(t("med.col.follow"), 6), Column(t("med.col.opened"), 10),
                            Column(t("med.col.type"), 8), Column(t("med.col.title"), 0)],
                           id="mediations")

    def on_mount(self) -> None:
        self.reload(keep_cursor=False)
        self.query_one("#mediations", VirtualTable).focus()

    def on_screen_resume(self) -> None:
        if self.stale():
            self.reload()

    def reload(self, keep_cursor: bool = True) -> None:
        community, status = self.community_id, self.status_filter
        table = self.query_one("#mediations", VirtualTable)
        table.set_source(FuncSource(
            lambda: mediation_views.count(community, status),
            lambda o, n: [mediation_row(m) for m in
                          mediation_views.page(community, o, n, status)]), keep_cursor)
        counts = mediation_views.status_counts(community)
        overdue = len(mediation_views.overdue_follow_ups(community))
        label = t(f"mediation.status.{status}") if status else t("med.filter.all")
        self.query_one("#mediation-summary", Static).update(t(
            "med.summary", n=sum(counts.values()), open=counts.get("open", 0),
            overdue=overdue, filter=label))

    def current_record(self) -> tuple[str, str] | None:
        """Ctrl+Y: the highlighted mediation's history."""
        row = self.query_one("#mediations", VirtualTable).current_row
        return ("mediation", row.key) if row else None

    def on_virtual_table_chosen(self, event: VirtualTable.Chosen) -> None:
        self.open_detail(event.row.key)

    def open_detail(self, mediation_id: str | None) -> None:
        if mediation_id:
            self.app.push_screen(MediationDetailScreen(mediation_id))

    def action_open(self) -> None:
        self.query_one("#mediations", VirtualTable).action_choose()

    def action_new(self) -> None:
        self.app.push_screen(mediation_form(self.community_id), self.open_detail)

    def action_from_case(self) -> None:
        self.app.push_screen(CaseSearchDialog(self.community_id), self._case_chosen)

    def _case_chosen(self, case_id: str | None) -> None:
        brief = mediation_views.case_brief(case_id) if case_id else None
        if brief is not None:
            self.app.push_screen(mediation_form(self.community_id, case=brief),
                                 self.open_detail)

    def action_filter(self) -> None:
        i = FILTERS.index(self.status_filter)
        self.status_filter = FILTERS[(i + 1) % len(FILTERS)]
        self.reload(keep_cursor=False)

    def action_conventions(self) -> None:
        self.app.push_screen(ConventionsScreen())

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Ctrl+P on this screen: start from a case, new record, conventions."""
        for name, run in (("from_case", self.action_from_case), ("new", self.action_new),
                          ("conventions", self.action_conventions)):
            yield SystemCommand(t(f"palette.mediation.{name}"),
                                t(f"palette.mediation.{name}.help"), run)
