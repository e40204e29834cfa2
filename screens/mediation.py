"""Mediation screen (调解): mediation records, open ones first."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from app import keymap
from app.i18n import t
from app.services import mediation_views
from screens.base import MulinScreen
from screens.widgets.virtual_table import Column, FuncSource, Row, VirtualTable


@keymap.bound
class MediationScreen(MulinScreen):
    """Every mediation record of the community."""

    NAME = "mediation"
    KEYS = ()

    def compose_body(self) -> ComposeResult:
        yield Static(id="mediation-summary", classes="section-title")
        yield VirtualTable([Column(t("mediation.number"), 16), Column(t("mediation.status"), 6),
                            Column(t("mediation.opened"), 10), Column(t("mediation.title"), 0)],
                           id="mediations")

    def on_mount(self) -> None:
        community = self.community_id
        table = self.query_one("#mediations", VirtualTable)
        table.set_source(FuncSource(
            lambda: mediation_views.count(community),
            lambda o, n: [Row(m.id, [m.number, t(f"mediation.status.{m.status}"),
                                     m.opened_on.isoformat(), m.title])
                          for m in mediation_views.page(community, o, n)]))
        self.query_one("#mediation-summary", Static).update(
            t("mediation.count", n=table.row_count))
        table.focus()
