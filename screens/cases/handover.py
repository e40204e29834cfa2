"""Shift handover 交接班: red, late and soon-due cases, visits due, the outgoing note."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from app import keymap
from app.i18n import t
from app.services.cases import handover
from app.services.cases.views import CaseRow
from screens import busy
from screens.base import MulinScreen
from screens.cases.actions import FORM_CSS, widen
from screens.cases.wording import time_left_text

keymap.define("handover.note", "e", "note")
keymap.define("handover.export", "x", "export")


def cases_table(rows: list[CaseRow]) -> Table | str:
    if not rows:
        return "  " + t("handover.none")
    table = Table(box=None, show_header=False, expand=True, padding=(0, 1))
    for width in (2, 15, 8, 8, 10):
        table.add_column(no_wrap=True, width=width)
    table.add_column(no_wrap=True, ratio=1)
    for r in rows:
        table.add_row(t(f"colour_short.{r.colour}"), r.number, r.grid, t(f"category.{r.category}"),
                      time_left_text(r.time_left()), f"{r.handler or '—'} {r.description}",
                      style={"red": "red", "yellow": "yellow"}.get(r.colour, ""))
    return table


class NoteDialog(ModalScreen[str | None]):
    """The outgoing officer's note: Ctrl+S saves, Esc cancels."""

    DEFAULT_CSS = FORM_CSS
    BINDINGS = [Binding("ctrl+s", "save", t("intake.save"), priority=True),
                Binding("escape", "cancel", t("intake.cancel"))]

    def __init__(self, text: str, actor: str = "") -> None:
        super().__init__()
        self.text, self.actor = text, actor

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog case-form"):
            yield Static(f"[b]{t('handover.note')}[/b]  {t('intake.hint')}")
            yield TextArea(self.text, id="note-text")

    def on_mount(self) -> None:
        widen(self)
        self.query_one(TextArea).focus()

    def action_save(self) -> None:
        """Saved here, so a refusal or a busy database keeps the text (issue 18)."""
        text = self.query_one(TextArea).text
        busy.save(self, lambda: handover.save_note(text, self.actor),
                  lambda _: self.dismiss(text), self._refused)

    def _refused(self, exc: Exception) -> bool:
        if isinstance(exc, ValueError):
            self.notify(str(exc), severity="error")
            return True
        return False

    def action_cancel(self) -> None:
        self.dismiss(None)


@keymap.bound
class HandoverScreen(MulinScreen):
    """What the next shift must know."""

    NAME = "handover"
    KEYS = ("handover.note", "handover.export", "app.dashboard")

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="handover"):
            yield Static(id="ho-when", classes="section-title")
            for part in ("open_red", "overdue", "due_soon", "visits_due", "follow_ups", "note"):
                yield Static(id=f"ho-{part}-title", classes="section-title")
                yield Static(id=f"ho-{part}")

    def on_mount(self) -> None:
        self.show()
        self.query_one("#handover", VerticalScroll).focus()

    def on_screen_resume(self) -> None:
        if self.stale():
            self.show()

    def show(self) -> None:
        h = handover.build(self.community_id)
        self.sheet = h
        self.query_one("#ho-when", Static).update(t(
            "handover.when", at=f"{h.at:%Y-%m-%d %H:%M}", next=f"{h.next_shift:%m-%d %H:%M}"))
        for part, rows in (("open_red", h.open_red), ("overdue", h.overdue),
                           ("due_soon", h.due_soon)):
            self.query_one(f"#ho-{part}-title", Static).update(t(f"handover.{part}", n=len(rows)))
            self.query_one(f"#ho-{part}", Static).update(cases_table(rows))
        self.query_one("#ho-visits_due-title", Static).update(
            t("handover.visits_due", n=len(h.visits_due)))
        visits = "\n".join(f"  {v.name}  {v.place}  {v.grid}  {t('handover.due_on')} {v.due:%m-%d}"
                           for v in h.visits_due[:30]) or "  " + t("handover.none")
        if len(h.visits_due) > 30:
            visits += "\n  " + t("handover.more", n=len(h.visits_due) - 30)
        self.query_one("#ho-visits_due", Static).update(visits)
        self.query_one("#ho-follow_ups-title", Static).update(
            t("handover.follow_ups", n=len(h.follow_ups)))
        self.query_one("#ho-follow_ups", Static).update(
            "\n".join(f"  {handover.follow_up_line(f)}" for f in h.follow_ups[:30])
            or "  " + t("handover.none"))
        self.query_one("#ho-note-title", Static).update(t("handover.note"))
        by = f"\n  — {h.note.by} {h.note.at:%m-%d %H:%M}" if h.note.at else ""
        self.query_one("#ho-note", Static).update(
            "  " + (h.note.text or t("handover.no_note")) + by)

    def action_note(self) -> None:
        def done(text: str | None) -> None:
            if text is not None:
                self.show()

        actor = getattr(self.app, "operator_name", "") or ""
        self.app.push_screen(NoteDialog(self.sheet.note.text, actor), done)

    def action_export(self) -> None:
        path = handover.export(self.sheet)
        self.notify(t("handover.exported", path=str(path)), timeout=10)
