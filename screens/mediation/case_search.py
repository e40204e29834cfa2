"""Starting a mediation from a case: find the case by (part of) its number."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Static

from app import keymap
from app.i18n import t
from app.services.mediation import views as mediation_views
from screens.mediation import forms  # noqa: F401  (defines the medform.* keys used here)
from screens.widgets.virtual_table import Column, ListSource, Row, VirtualTable


@keymap.bound
class CaseSearchDialog(ModalScreen[str | None]):
    """Find a case by (part of) its number; Enter chooses, Esc cancels."""

    DEFAULT_CSS = """
    CaseSearchDialog .med-search { width: 80; max-width: 100%; height: 16;
                                   border: thick $primary; background: $surface; padding: 0 1; }
    CaseSearchDialog Input { margin-bottom: 1; }
    """
    KEYS = ("nav.open", "medform.cancel")

    def __init__(self, community_id: str) -> None:
        super().__init__()
        self.community_id = community_id
        self.found: list[mediation_views.CaseBrief] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="med-search"):
            yield Static(t("med.from_case_title"), classes="section-title")
            yield Input(placeholder=t("med.from_case_prompt"), id="case-number", compact=True)
            yield VirtualTable([Column(t("med.col.number"), 16), Column(t("med.col.status"), 6),
                                Column(t("med.col.title"), 0)], id="case-hits")
            yield Static("", id="case-none", classes="med-hint")
        yield Footer()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.found = mediation_views.find_cases(self.community_id, event.value)
        rows = [Row(c.id, [c.number, t(f"state.{c.state}"), c.description]) for c in self.found]
        self.query_one("#case-hits", VirtualTable).set_source(ListSource(rows))
        none = bool(event.value.strip()) and not rows
        self.query_one("#case-none", Static).update(t("med.no_cases") if none else "")

    def on_input_submitted(self) -> None:
        self.action_open()

    def on_virtual_table_chosen(self, event: VirtualTable.Chosen) -> None:
        self.dismiss(event.row.key)

    def action_open(self) -> None:
        row = self.query_one("#case-hits", VirtualTable).current_row
        if row is not None:
            self.dismiss(row.key)

    def action_cancel(self) -> None:
        self.dismiss(None)
