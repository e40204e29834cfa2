"""F3 at the street desk: cases at 街道/区 level and the street's actions on them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from app import keymap
from app.i18n import t
from app.services.hub import database as hubdb
from app.services.hub import desk, street
from screens.hub.loading import HubScreen
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
class StreetQueueScreen(HubScreen):
    """The street queue: most urgent first, every community."""

    NAME = "hub_queue"
    KEYS: ClassVar[tuple[str, ...]] = ("hub.sign", "hub.start", "hub.resolve", "hub.return",
                                       "hub.dispatch", "hub.order", "nav.refresh")
    TITLE_ID = "hub-queue-title"
    acting = False  # an action is being written (one at a time)

    def compose_body(self) -> ComposeResult:
        yield Static("", id="hub-queue-title", classes="section-title")
        table: DataTable[str] = DataTable(id="hub-queue", cursor_type="row", zebra_stripes=True)
        for name in ("number", "community", "colour", "state", "level", "due", "description"):
            table.add_column(t(f"hub.col.{name}"), key=name)
        yield table

    def fetch(self) -> Any:
        return desk.queue()

    def show(self, data: Any) -> None:
        rows: list[street.StreetCase] = data
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

    # -- actions: written in a worker, one at a time -----------------------------------------
    def _busy(self) -> bool:
        if self.acting:
            self.notify(t("hub.desk.acting"), severity="warning")
        return self.acting

    def action_street(self, action: str) -> None:
        number = self._selected()
        if number is None:
            self.notify(t("hub.street.empty"), severity="warning")
            return
        if self._busy():
            return
        if action not in NEEDS_NOTE:
            self._do(number, action, "")
            return
        self.app.push_screen(PromptDialog(t(f"hub.ask.{action}", number=number)),
                             lambda note: self._do(number, action, note) if note else None)

    def _do(self, number: str, action: str, note: str) -> None:
        actor = self.mulin.operator_name
        self._write(lambda: desk.act(number, action, note, actor),
                    lambda state: t("hub.street.done", number=number,
                                    state=t(f"state.{state}")))

    def action_order(self) -> None:
        if not self._busy():
            self.app.push_screen(PromptDialog(t("hub.ask.order")), self._order_for)

    def _order_for(self, description: str | None) -> None:
        if description:
            self._names(description)

    @work(thread=True, group="hub-act", exit_on_error=False)
    def _names(self, description: str) -> None:
        self._in_worker(desk.community_names, lambda names: self._ask_community(
            description, names))

    def _ask_community(self, description: str, names: list[str]) -> None:
        self.app.push_screen(PromptDialog(t("hub.ask.order_community", names="、".join(names)),
                                          names[0] if names else ""),
                             lambda name: self._order(description, name) if name else None)

    def _order(self, description: str, name: str) -> None:
        actor = self.mulin.operator_name
        self._write(lambda: desk.order(name, description, actor),
                    lambda new: t("hub.street.ordered", number=new.number,
                                  due=f"{new.due_resolution:%Y-%m-%d %H:%M}"))

    def _write(self, job: Callable[[], Any], said: Callable[[Any], str]) -> None:
        self.acting = True
        self._writing(job, said)

    @work(thread=True, group="hub-act", exit_on_error=False)
    def _writing(self, job: Callable[[], Any], said: Callable[[Any], str]) -> None:
        try:
            answer = job()
        except (hubdb.HubError, desk.DeskError) as exc:
            self.app.call_from_thread(self._acted, str(exc), True)
            return
        self.app.call_from_thread(self._acted, said(answer), False)

    def _acted(self, text: str, error: bool) -> None:
        self.acting = False
        self.notify(text, severity="error" if error else "information")
        if not error:
            self.action_refresh()
