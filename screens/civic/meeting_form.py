"""Meeting form 议事会: date, level, building (for a 楼栋 meeting), title, place and who came
(residents, 三长, staff); the agenda is the items marked in the ranked list. Dismisses with
the meeting id, or None."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Footer, Input, Select, Static

from app import clock
from app.i18n import t
from app.services.civic import items, meetings
from screens.places.resident_form import FormScreen

FIELDS = ("held_on", "level", "building", "meeting_title", "venue", "residents", "chiefs", "staff",
          "agenda")


class MeetingFormScreen(FormScreen):
    """A new meeting with its agenda."""

    def __init__(self, community_id: str, item_ids: list[str]) -> None:
        super().__init__()
        self.community_id, self.item_ids = community_id, item_ids

    def compose(self) -> ComposeResult:
        titles = items.titles(self.item_ids)
        levels = [(t(f"civic.mlevel.{lv}"), lv) for lv in meetings.LEVELS]
        with Vertical(classes="form"):
            yield Static(t("civic.form.meeting_title", agenda="、".join(titles)),
                         classes="form-title")
            yield from self.row("held_on", Input(clock.today().isoformat(), id="f-held_on",
                                                 compact=True))
            yield from self.row("level", Select(levels, value="community", allow_blank=False,
                                                id="f-level", compact=True))
            yield from self.row("building", Input(id="f-building", compact=True,
                                                  placeholder=t("civic.form.building_hint")))
            yield from self.row("meeting_title", Input(id="f-meeting_title", compact=True))
            yield from self.row("venue", Input(id="f-venue", compact=True))
            yield from self.row("residents", Input(id="f-residents", compact=True,
                                                   placeholder=t("civic.form.names_hint")))
            yield from self.row("chiefs", Input(id="f-chiefs", compact=True))
            yield from self.row("staff", Input(id="f-staff", compact=True))
            yield Static("", id="err-agenda", classes="field-error -empty")
            yield Static(t("form.hint"), classes="form-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#f-meeting_title", Input).focus()

    def show_error(self, name: str, code: str | None) -> None:
        for err in self.query(f"#err-{name}").results(Static):
            err.update(t(f"civic.err.{code}") if code else "")
            err.set_class(not code, "-empty")

    def action_save(self) -> None:
        form = meetings.MeetingForm(
            held_on=self.value("held_on"), level=str(self.query_one("#f-level", Select).value),
            building=self.value("building"), title=self.value("meeting_title"),
            place=self.value("venue"), residents=self.value("residents"),
            chiefs=self.value("chiefs"), staff=self.value("staff"))
        community_id, item_ids = self.community_id, self.item_ids
        self.save_form(lambda: meetings.create(community_id, form, item_ids),
                       meetings.CivicError, FIELDS, lambda _: t("civic.meeting_saved"))
