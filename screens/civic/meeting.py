"""Meetings 议事会: the list (newest first) and one meeting — its agenda with each item's
vote and decision. Enter on an agenda row records the decision; ``p`` prints the minutes;
``e`` edits the minutes text (a refusal keeps the prompt open with the reason). Until the
first decision, ``a`` adds an item of the 民生清单 to the agenda, ``x`` takes the highlighted
one off, ``u`` / ``d`` move it up or down."""

from __future__ import annotations

from collections.abc import Callable

from rich.markup import escape
from textual.app import ComposeResult
from textual.widgets import Static

from app import keymap
from app.i18n import t
from app.services.civic import meetings
from screens import busy
from screens.base import MulinScreen
from screens.civic.choice import ChoiceDialog
from screens.civic.decision_form import DecisionFormScreen
from screens.civic.notice import print_minutes
from screens.widgets.prompt import SavingPrompt
from screens.widgets.virtual_table import Column, ListSource, Row, VirtualTable

keymap.define("meeting.minutes", "p", "minutes")
keymap.define("meeting.add", "a", "add_item")
keymap.define("meeting.remove", "x", "remove_item")
keymap.define("meeting.up", "u", "move_item(-1)", show=False)
keymap.define("meeting.down", "d", "move_item(1)", show=False)


def _reason(exc: Exception) -> str | None:
    """A meeting's refusal in words (None: not a refusal)."""
    if isinstance(exc, meetings.CivicError):
        return "；".join(t(f"civic.err.{code}") for code in exc.errors.values())
    return None


@keymap.bound
class MeetingsScreen(MulinScreen):
    """Every meeting of the community."""

    NAME = "civic_meetings"
    KEYS = ("nav.open", "nav.back")

    def compose_body(self) -> ComposeResult:
        yield VirtualTable([Column(t("civic.col.date"), 10), Column(t("civic.col.level"), 10),
                            Column(t("civic.col.decided"), 6), Column(t("civic.col.text"), 0)],
                           id="meetings-table")

    def on_mount(self) -> None:
        self.reload()
        self.query_one(VirtualTable).focus()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.query_one(VirtualTable).set_source(ListSource([
            Row(m.id, [m.held_on.isoformat(), t(f"civic.mlevel.{m.level}"),
                       f"{m.decided}/{m.agenda}", m.title])
            for m in meetings.meetings(self.community_id)]), keep_cursor=True)

    def on_virtual_table_chosen(self, event: VirtualTable.Chosen) -> None:
        self.app.push_screen(MeetingScreen(event.row.key))

    def action_open(self) -> None:
        row = self.query_one(VirtualTable).current_row
        if row:
            self.app.push_screen(MeetingScreen(row.key))

    def action_back(self) -> None:
        self.app.pop_screen()


@keymap.bound
class MeetingScreen(MulinScreen):
    """One meeting: who came, and the agenda with votes and decisions."""

    NAME = "civic_meeting"
    KEYS = ("nav.open", "nav.edit", "meeting.minutes", "meeting.add", "meeting.remove",
            "meeting.up", "meeting.down", "nav.back")
    DEFAULT_CSS = "MeetingScreen #meeting-head { height: auto; padding: 0 1; }"

    def __init__(self, meeting_id: str) -> None:
        super().__init__()
        self.meeting_id = meeting_id
        self.rows: list[meetings.AgendaRow] = []

    def compose_body(self) -> ComposeResult:
        yield Static(id="meeting-head")
        yield VirtualTable([Column("#", 2), Column(t("civic.col.title"), 14),
                            Column(t("civic.col.outcome"), 6), Column(t("civic.col.votes"), 10),
                            Column(t("civic.col.text"), 0)], id="agenda-table")

    def on_mount(self) -> None:
        self.show()
        self.query_one(VirtualTable).focus()

    def show(self) -> None:
        m = meetings.meeting(self.meeting_id)
        self.query_one("#meeting-head", Static).update(t(
            "civic.meeting.head", title=escape(m.title), date=m.held_on.isoformat(),
            level=t(f"civic.mlevel.{m.level}"), place=escape(m.place) or "—",
            residents=escape(m.residents) or "—", chiefs=escape(m.chiefs) or "—",
            staff=escape(m.staff) or "—", minutes=escape(m.minutes) or "—"))
        self.rows = meetings.agenda(self.meeting_id)
        self.query_one(VirtualTable).set_source(ListSource([
            Row(a.id, [str(a.position), a.title, t(f"civic.outcome.{a.outcome or 'open'}"),
                       f"{a.votes[0]}/{a.votes[1]}/{a.votes[2]}",
                       a.decision + (f" 《{a.convention}》" if a.convention else "")])
            for a in self.rows]), keep_cursor=True)

    def on_virtual_table_chosen(self, event: VirtualTable.Chosen) -> None:
        self.action_open()

    def action_open(self) -> None:
        row = self.query_one(VirtualTable).current_row
        chosen = next((a for a in self.rows if row and a.id == row.key), None)
        if chosen:
            self.app.push_screen(DecisionFormScreen(chosen), lambda _r: self.show())

    def action_edit(self) -> None:
        m, meeting_id = meetings.meeting(self.meeting_id), self.meeting_id

        def save(text: str) -> str:  # waits for an import; a refusal keeps the prompt
            meetings.update_minutes(meeting_id, text)
            return text

        self.app.push_screen(SavingPrompt(t("civic.ask.minutes"), m.minutes, save, _reason),
                             lambda _r: self.show())

    # the agenda, until the first decision ---------------------------------------------
    def _agenda_row(self) -> meetings.AgendaRow | None:
        row = self.query_one(VirtualTable).current_row
        return next((a for a in self.rows if row and a.id == row.key), None)

    def _write(self, work: Callable[[], object], key: str = "") -> None:
        """Save an agenda change (waiting for an import); a refusal is said in a notice —
        nothing was typed, so nothing is lost."""
        def done(_r: object) -> None:
            self.show()
            if key:
                self.query_one(VirtualTable).move_to_key(key)

        def refused(exc: Exception) -> bool:
            why = _reason(exc)
            if why is not None:
                self.notify(why, severity="error")
            return why is not None

        busy.save(self, work, done, refused)

    def action_add_item(self) -> None:
        if not meetings.agenda_open(self.meeting_id):
            self.notify(t("civic.err.agenda_fixed"), severity="error")
            return
        choices = meetings.addable(self.meeting_id)
        if not choices:
            self.notify(t("civic.meeting.nothing_to_add"), severity="warning")
            return
        meeting_id = self.meeting_id

        def chosen(item_id: str | None) -> None:
            if item_id:
                self._write(lambda: meetings.add_to_agenda(meeting_id, item_id))

        self.app.push_screen(ChoiceDialog(t("civic.ask.agenda_add"), choices), chosen)

    def action_remove_item(self) -> None:
        a = self._agenda_row()
        if a is not None:
            self._write(lambda: meetings.remove_from_agenda(a.id))

    def action_move_item(self, step: int) -> None:
        a = self._agenda_row()
        if a is not None:
            self._write(lambda: meetings.move_in_agenda(a.id, step), key=a.id)

    def action_minutes(self) -> None:
        print_minutes(self, self.meeting_id)

    def action_back(self) -> None:
        self.app.pop_screen()
