"""F3 at the street desk: cases at 街道/区 level and the street's actions on them."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from app import keymap
from app.i18n import t
from app.services.hub import database as hubdb
from app.services.hub import street
from screens.base import MulinScreen
from screens.widgets.prompt import PromptDialog

keymap.define("hub.sign", "s", "street('sign')")
keymap.define("hub.start", "g", "street('start')")
keymap.define("hub.resolve", "v", "street('resolve')")
keymap.define("hub.return", "b", "street('return')")
keymap.define("hub.dispatch", "l", "street('dispatch')")
keymap.define("hub.order", "n", "order")

#: Actions that ask for a note first (the result, the reason, the instruction).
NEEDS_NOTE = {"resolve", "return", "dispatch"}


@keymap.bound
class StreetQueueScreen(MulinScreen):
    """The street queue: most urgent first, every community."""

    NAME = "hub_queue"
    KEYS: ClassVar[tuple[str, ...]] = ("hub.sign", "hub.start", "hub.resolve", "hub.return",
                                       "hub.dispatch", "hub.order", "nav.refresh")

    def compose_body(self) -> ComposeResult:
        yield Static("", id="hub-queue-title", classes="section-title")
        table: DataTable[str] = DataTable(id="hub-queue", cursor_type="row", zebra_stripes=True)
        yield table

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for name in ("number", "community", "colour", "state", "level", "due", "description"):
            table.add_column(t(f"hub.col.{name}"), key=name)
        self.action_refresh()
        table.focus()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        rows = street.queue()
        self.query_one("#hub-queue-title", Static).update(t("hub.desk.queue", n=len(rows)))
        table = self.query_one(DataTable)
        keep = self._selected()
        table.clear()
        for r in rows:
            due = f"{r.due:%m-%d %H:%M}" if r.due else "—"
            if r.overdue:
                due += t("hub.street.overdue")
            table.add_row(r.number, r.community, t(f"colour.{r.colour}"), t(f"state.{r.state}"),
                          t(f"level.{r.level}"), due, r.description[:24], key=r.number)
        if keep is not None and keep in table.rows:  # the case acted on stays under the cursor
            table.move_cursor(row=table.get_row_index(keep))

    def _selected(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def action_street(self, action: str) -> None:
        number = self._selected()
        if number is None:
            self.notify(t("hub.street.empty"), severity="warning")
            return
        if action not in NEEDS_NOTE:
            self._do(number, action, "")
            return
        self.app.push_screen(PromptDialog(t(f"hub.ask.{action}", number=number)),
                             lambda note: self._do(number, action, note) if note else None)

    def _do(self, number: str, action: str, note: str) -> None:
        try:
            state = street.act(number, action, note, self.mulin.operator_name)
        except hubdb.HubError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(t("hub.street.done", number=number, state=t(f"state.{state}")))
        self.action_refresh()

    def action_order(self) -> None:
        self.app.push_screen(PromptDialog(t("hub.ask.order")), self._order_for)

    def _order_for(self, description: str | None) -> None:
        if not description:
            return
        communities = hubdb.communities()
        names = "、".join(c.name for c in communities)
        self.app.push_screen(PromptDialog(t("hub.ask.order_community", names=names),
                                          communities[0].name if communities else ""),
                             lambda name: self._order(description, name) if name else None)

    def _order(self, description: str, name: str) -> None:
        try:
            new = street.new_order(hubdb.find(name), description,
                                   actor=self.mulin.operator_name)
        except hubdb.HubError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(t("hub.street.ordered", number=new.number,
                      due=f"{new.due_resolution:%Y-%m-%d %H:%M}"))
        self.action_refresh()
