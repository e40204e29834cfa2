"""Residents' conventions 居民公约: the list, the full text, and the mediations citing it."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from app import keymap
from app.i18n import t
from app.services.mediation import conventions
from screens.base import MulinScreen
from screens.mediation.forms import convention_form
from screens.widgets.virtual_table import Column, FuncSource, Row, VirtualTable


def convention_row(c: conventions.ConventionRow) -> Row:
    scope = t(f"conv.scope.{c.scope}") + (f" {c.scope_ref}" if c.scope_ref else "")
    return Row(c.id, [c.title, scope, c.adopted_on.isoformat() if c.adopted_on else "—",
                      str(c.citations), c.meeting])


@keymap.bound
class ConventionsScreen(MulinScreen):
    """Conventions on top, the highlighted one's text and citations below."""

    NAME = "conventions"
    KEYS = ("nav.back", "nav.new", "nav.edit", "nav.next_section", "nav.prev_section")
    DEFAULT_CSS = """
    ConventionsScreen #conventions { height: 1fr; }
    ConventionsScreen #conv-detail-box { height: 1fr; border-top: solid $primary; }
    ConventionsScreen #conv-detail { padding: 0 1; }
    """

    def compose_body(self) -> ComposeResult:
        yield Static(id="conv-summary", classes="section-title")
        yield VirtualTable([Column(t("conv.col.title"), 18), Column(t("conv.col.scope"), 10),
                            Column(t("conv.col.adopted"), 10), Column(t("conv.col.cited"), 4),
                            Column(t("conv.col.meeting"), 0)], id="conventions")
        with VerticalScroll(id="conv-detail-box", can_focus=False):
            yield Static(id="conv-detail")

    def on_mount(self) -> None:
        self.reload(keep_cursor=False)
        self.query_one("#conventions", VirtualTable).focus()

    def reload(self, keep_cursor: bool = True) -> None:
        community = self.community_id
        table = self.query_one("#conventions", VirtualTable)
        table.set_source(FuncSource(
            lambda: conventions.count(community),
            lambda o, n: [convention_row(c) for c in conventions.page(community, o, n)]),
            keep_cursor)
        self.query_one("#conv-summary", Static).update(t("conv.summary", n=table.row_count))

    def on_virtual_table_highlighted(self, event: VirtualTable.Highlighted) -> None:
        box = self.query_one("#conv-detail", Static)
        if event.row is None:
            box.update("")
            return
        c = conventions.detail(event.row.key)
        cited = "、".join(f"{x.number} {x.title}" for x in c.citations) or t("med.none")
        scope = t(f"conv.scope.{c.scope}") + (f" {c.scope_ref}" if c.scope_ref else "")
        box.update(t("conv.detail", title=escape(c.title), scope=scope,
                     adopted=c.adopted_on.isoformat() if c.adopted_on else "—",
                     meeting=escape(c.meeting), text=escape(c.text), cited=escape(cited)))

    def _current(self) -> str | None:
        row = self.query_one("#conventions", VirtualTable).current_row
        return row.key if row else None

    def _after(self, saved: str | None) -> None:
        if saved:
            self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_new(self) -> None:
        self.app.push_screen(convention_form(self.community_id), self._after)

    def action_edit(self) -> None:
        key = self._current()
        if key:
            self.app.push_screen(convention_form(self.community_id, conventions.detail(key)),
                                 self._after)

    def action_next_section(self) -> None:
        self.focus_next()

    def action_prev_section(self) -> None:
        self.focus_previous()
