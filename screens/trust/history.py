"""Record history 修改记录: who changed what, when, on which station; reveals audited.

Any screen can open it (``push_screen(HistoryScreen(table, row_id))``, or ctrl+y with
the screen's ``current_record()``). Personal values are masked as the operator's role
requires; ``r`` reveals the fields the role may reveal, and each reveal is recorded.
"""

from __future__ import annotations

import re

from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from app import keymap
from app.i18n import has, t
from app.services.trust import audit, operators, permissions

keymap.define("history.reveal", "r", "reveal")


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _label(field: str) -> str:
    return t(f"field.{field}") if has(f"field.{field}") else field


def _fields_text(fields: dict[str, str]) -> str:
    """``姓名=王秀兰  户=0096d2ce``: labels from the catalog, record ids shortened."""
    return "  ".join(f"{escape(_label(k))}={escape(_UUID.sub(lambda m: m.group()[:8], v))}"
                     for k, v in fields.items())


@keymap.bound
class HistoryScreen(ModalScreen[None]):
    """The current values of one record and every change to it, oldest first."""

    NAME = "history"
    KEYS = ("history.reveal", "nav.back")
    DEFAULT_CSS = """
    HistoryScreen #history { width: 90%; max-width: 110; height: 90%; }
    HistoryScreen #history-now { height: auto; max-height: 8; margin-bottom: 1; }
    HistoryScreen #history-list { height: 1fr; }
    HistoryScreen .history-entry { margin-bottom: 1; }
    """

    def __init__(self, table: str, row_id: str) -> None:
        super().__init__()
        self.table = table
        self.row_id = row_id
        self.revealed: set[str] = set()

    def compose(self) -> ComposeResult:
        with Vertical(id="history", classes="dialog"):
            yield Static(t("history.title", table=t(f"table.{self.table}"), id=self.row_id[:8]),
                         classes="section-title")
            yield Static(id="history-now")
            yield VerticalScroll(id="history-list")
        yield Footer()

    def on_mount(self) -> None:
        self.show()

    def show(self) -> None:
        now = audit.current_values(self.table, self.row_id, self.revealed)
        self.query_one("#history-now", Static).update(
            t("history.now", fields=_fields_text(now)))
        box = self.query_one("#history-list", VerticalScroll)
        box.remove_children()
        box.mount_all([Static(self._entry(e), classes="history-entry")
                       for e in audit.history(self.table, self.row_id, self.revealed)])

    def _entry(self, e: audit.HistoryEntry) -> str:
        head = t("history.entry", at=e.at.strftime("%Y-%m-%d %H:%M"), kind=t(f"history.{e.kind}"),
                 operator=escape(e.operator or t("history.nobody")), station=escape(e.station))
        body = _fields_text(e.fields) if e.kind != "reveal" else ", ".join(e.fields)
        if e.kind == "conflict":
            body += "  " + escape(e.note)
        return f"{head}\n  {body}"

    def action_reveal(self) -> None:
        role = operators.current_role()
        now = audit.current_values(self.table, self.row_id, self.revealed)
        wanted = [f for f in ("id_number", "phone")
                  if f not in self.revealed and permissions.may_reveal(role, f) and now.get(f)]
        if not wanted:
            masked = [f for f in ("id_number", "phone") if f in now and "*" in now[f]]
            if masked and not permissions.may_reveal(role, masked[0]):
                refused = permissions.Refused(f"reveal.{masked[0]}", role)
                self.notify(str(refused), severity="error")
            else:
                self.notify(t("history.cannot_reveal"), severity="warning")
            return
        for name in wanted:
            audit.reveal(self.table, self.row_id, name)
            self.revealed.add(name)
        self.show()
        self.notify(t("history.revealed"))

    def action_back(self) -> None:
        self.dismiss(None)
