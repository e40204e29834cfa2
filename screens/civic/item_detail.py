"""One livelihood item: its rank and why (urgency × importance, households), its class and
status, owner and due date, the opinions behind it, the notes and meetings that worked it.

``e`` edits, ``c`` classes (小事即办 opens the linked case), ``s`` moves the status (不予采纳
asks the reason), ``a`` adds a progress note, ``t`` records a consultation 急事共商, ``x``
takes the highlighted opinion out, ``j`` merges the item into another.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from app import keymap
from app.i18n import t
from app.services.civic import detail, items, opinions
from screens import busy
from screens.base import MulinScreen
from screens.civic.choice import ChoiceDialog
from screens.civic.item_form import ItemFormScreen
from screens.dialogs import ConfirmDialog
from screens.widgets.prompt import PromptDialog
from screens.widgets.virtual_table import Column, ListSource, Row, VirtualTable

keymap.define("item.kind", "c", "kind")
keymap.define("item.status", "s", "status")
keymap.define("item.note", "a", "note('progress')")
keymap.define("item.consult", "t", "note('consultation')")
keymap.define("item.unlink", "x", "unlink")
keymap.define("item.merge", "j", "merge")


@keymap.bound
class ItemDetailScreen(MulinScreen):
    """The item on top, its opinions in the middle, notes and meetings below."""

    NAME = "civic_item"
    KEYS = ("nav.edit", "item.kind", "item.status", "item.note", "item.consult", "item.unlink",
            "item.merge", "nav.back")
    DEFAULT_CSS = """
    ItemDetailScreen #item-head { height: auto; padding: 0 1; }
    ItemDetailScreen #item-opinions { height: 1fr; }
    ItemDetailScreen #item-log-box { height: 1fr; border-top: solid $primary; }
    ItemDetailScreen #item-log { padding: 0 1; }
    """

    def __init__(self, item_id: str) -> None:
        super().__init__()
        self.item_id = item_id

    def compose_body(self) -> ComposeResult:
        yield Static(id="item-head")
        yield VirtualTable([Column(t("civic.col.date"), 10), Column(t("civic.col.building"), 5),
                            Column(t("civic.col.place"), 7), Column(t("civic.col.channel"), 8),
                            Column(t("civic.col.text"), 0)], id="item-opinions")
        with VerticalScroll(id="item-log-box", can_focus=False):
            yield Static(id="item-log")

    def on_mount(self) -> None:
        self.show()
        self.query_one(VirtualTable).focus()

    def show(self) -> None:
        d = detail.item_detail(self.item_id)
        r = d.row
        head = t("civic.item.head", rank=r.rank, title=escape(r.title), u=r.urgency,
                 i=r.importance, score=r.score, households=r.households, opinions=r.opinions,
                 kind=t(f"civic.kind.{r.kind}"), status=t(f"civic.status.{r.status}"),
                 owner=escape(r.owner) or "—", due=r.due_on.isoformat() if r.due_on else "—",
                 building=r.building or t("civic.community_wide"),
                 category=opinions.category_label(d.category) if d.category else "—")
        if r.case_number:
            head += "\n" + t("civic.item.case", number=r.case_number)
        if d.reason:
            head += "\n" + t("civic.item.reason", reason=escape(d.reason))
        self.query_one("#item-head", Static).update(head)
        self.query_one(VirtualTable).set_source(ListSource([
            Row(o.id, [o.collected_on.isoformat(), o.building, o.place or t("civic.anonymous"),
                       t(f"civic.channel.{o.channel}"), o.content]) for o in d.opinions]),
            keep_cursor=True)
        self.query_one("#item-log", Static).update(self._log(d))

    def _log(self, d: detail.ItemDetail) -> str:
        lines = [t("civic.item.meeting", date=a.held_on.isoformat(), title=escape(a.title),
                   outcome=t(f"civic.outcome.{a.outcome or 'open'}"), f=a.votes[0],
                   a=a.votes[1], b=a.votes[2], decision=escape(a.decision)) for a in d.agenda]
        lines += [f"{n.at:%Y-%m-%d %H:%M} {t(f'civic.note.{n.kind}')} {escape(self._note(n))}"
                  f"  — {escape(n.author)}" for n in d.notes]
        return "\n".join(lines) or t("civic.item.no_log")

    @staticmethod
    def _note(n: detail.NoteView) -> str:
        if n.kind != "status":
            return n.text
        status, _, rest = n.text.partition(" ")
        return f"→ {t(f'civic.status.{status}')} {rest}".rstrip()

    def _refused(self, exc: Exception) -> bool:
        if not isinstance(exc, items.CivicError):
            return False
        self.notify(t(f"civic.err.{next(iter(exc.errors.values()))}"), severity="error")
        return True

    def _write(self, work: Callable[[], object], then: Callable[[Any], None] | None = None,
               ) -> None:
        """``work()``, waiting for an import holding the database (issue 18)."""
        busy.save(self, work, then or (lambda _: self.show()), self._refused)

    def action_edit(self) -> None:
        self.app.push_screen(ItemFormScreen(self.community_id, self.item_id),
                             lambda saved: self.show())

    def action_kind(self) -> None:
        row = detail.item_detail(self.item_id).row

        def done(kind: str | None) -> None:
            if not kind or kind == row.kind:
                return
            self._write(lambda: items.set_kind(self.item_id, kind), kind_set)

        def kind_set(number: str | None) -> None:
            if number:
                self.notify(t("civic.case_opened", number=number))
            self.show()

        self.app.push_screen(ChoiceDialog(t("civic.ask.kind"), [
            (k, t(f"civic.kind.{k}")) for k in items.KINDS], row.kind), done)

    def action_status(self) -> None:
        row = detail.item_detail(self.item_id).row

        def chosen(status: str | None) -> None:
            if not status or status == row.status:
                return
            if status == "rejected":
                self.app.push_screen(PromptDialog(t("civic.ask.reason")),
                                     lambda reason: self._set(status, reason))
                return
            self._set(status, "")

        self.app.push_screen(ChoiceDialog(t("civic.ask.status"), [
            (s, t(f"civic.status.{s}")) for s in items.STATUSES], row.status), chosen)

    def _set(self, status: str, reason: str | None) -> None:
        if reason is None:
            return
        self._write(lambda: items.set_status(self.item_id, status, reason))

    def action_note(self, kind: str) -> None:
        def done(text: str | None) -> None:
            if text:
                self._write(lambda: items.add_note(self.item_id, text, kind))

        self.app.push_screen(PromptDialog(t(f"civic.ask.{kind}")), done)

    def action_unlink(self) -> None:
        """Take the highlighted opinion out of this item (it becomes ungrouped again)."""
        row = self.query_one(VirtualTable).current_row
        if row is None:
            return

        def done(yes: bool | None) -> None:
            if yes:
                self._write(lambda: items.remove_opinion(self.item_id, row.key))

        self.app.push_screen(ConfirmDialog(t("civic.ask.unlink", text=row.cells[4])), done)

    def action_merge(self) -> None:
        """Merge this item into another live one; the other opens."""
        others = [(r.id, f"{r.rank}. {r.title}") for r in items.ranked(self.community_id)
                  if r.id != self.item_id and r.status in items.OPEN]

        def done(target: str | None) -> None:
            if target:
                self._write(lambda: items.merge(self.item_id, target), lambda _: merged(target))

        def merged(target: str) -> None:
            self.notify(t("civic.merged", rank=items.rank_of(target)))
            self.item_id = target
            self.show()

        self.app.push_screen(ChoiceDialog(t("civic.ask.merge"), others), done)

    def action_back(self) -> None:
        self.app.pop_screen()
