"""Meetings 议事会: the list (newest first) and one meeting — its agenda with each item's
vote and decision. Enter on an agenda row records the decision; ``p`` prints the minutes;
``e`` edits the minutes text."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.widgets import Static

from app import keymap
from app.i18n import t
from app.services.civic import meetings
from screens import busy
from screens.base import MulinScreen
from screens.civic.decision_form import DecisionFormScreen
from screens.civic.notice import print_minutes
from screens.widgets.prompt import PromptDialog
from screens.widgets.virtual_table import Column, ListSource, Row, VirtualTable

keymap.define("meeting.minutes", "p", "minutes")


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
    KEYS = ("nav.open", "nav.edit", "meeting.minutes", "nav.back")
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
        m = meetings.meeting(self.meeting_id)

        def done(text: str | None) -> None:
            if text is not None:  # waits for an import holding the database (issue 18)
                busy.save(self, lambda: meetings.update_minutes(self.meeting_id, text),
                          lambda _: self.show())

        self.app.push_screen(PromptDialog(t("civic.ask.minutes"), m.minutes), done)

    def action_minutes(self) -> None:
        print_minutes(self, self.meeting_id)

    def action_back(self) -> None:
        self.app.pop_screen()
