"""Opinion form 居民意见: a few keys at a door — the household is prefilled where the form
was opened (ledger, visit), the channel and category are chosen, the text typed, Ctrl+S.

Leaving the household empty records an anonymous opinion. Dismisses with the id, or None.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Footer, Input, Select, Static

from app import clock
from app.i18n import t
from app.services.civic import opinions
from app.services.places import residents
from app.services.places.visits import default_visitor
from screens.places.resident_form import FormScreen

FIELDS = ("household", "channel", "category", "content", "collected_on", "collected_by",
          "building")


class OpinionFormScreen(FormScreen):
    """Record one opinion of a building (optionally a household and resident)."""

    def __init__(self, community_id: str, building_id: str, household_id: str | None = None,
                 resident_id: str | None = None, channel: str = "visit",
                 visit_id: str | None = None, opinion_id: str | None = None,
                 text: str = "") -> None:
        super().__init__()
        self.text = text
        self.community_id, self.building_id = community_id, building_id
        self.household_id, self.resident_id = household_id, resident_id
        self.channel, self.visit_id, self.opinion_id = channel, visit_id, opinion_id

    def compose(self) -> ComposeResult:
        old = opinions.view(self.opinion_id) if self.opinion_id else None
        if old is not None:
            self.household_id, self.resident_id = old.household_id, old.resident_id
        place = old.place if old else (
            residents.household_place(self.household_id) if self.household_id else "")
        channels = [(t(f"civic.channel.{c}"), c) for c in opinions.CHANNELS]
        categories = [(opinions.category_label(c), c) for c in opinions.categories()]
        with Vertical(classes="form"):
            yield Static(t("civic.form.opinion_title" if old is None else
                           "civic.form.opinion_edit"), classes="form-title")
            yield from self.row("household", Input(place, id="f-household", compact=True,
                                                   placeholder=t("civic.form.anonymous")))
            yield from self.row("channel", Select(channels, value=old.channel if old else
                                                  self.channel, allow_blank=False,
                                                  id="f-channel", compact=True))
            yield from self.row("category", Select(categories, value=old.category if old
                                                   and old.category in opinions.categories()
                                                   else "119",
                                                   allow_blank=False, id="f-category",
                                                   compact=True))
            yield from self.row("content", Input(old.content if old else self.text,
                                                 id="f-content", compact=True))
            yield from self.row("collected_on", Input(
                (old.collected_on if old else clock.today()).isoformat(),
                id="f-collected_on", compact=True))
            yield from self.row("collected_by", Input(
                old.collected_by if old else default_visitor(self.building_id),
                id="f-collected_by", compact=True))
            yield Static("", id="err-building", classes="field-error -empty")
            yield Static(t("form.hint"), classes="form-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#f-content", Input).focus()

    def show_error(self, name: str, code: str | None) -> None:
        for err in self.query(f"#err-{name}").results(Static):
            err.update(t(f"civic.err.{code}") if code else "")
            err.set_class(not code, "-empty")

    def on_input_changed(self, event: Input.Changed) -> None:
        """The text and the date are checked as they are typed (the reason under them)."""
        name = (event.input.id or "").removeprefix("f-")
        if name not in ("content", "collected_on") or not self.is_mounted:
            return
        errors, _day = opinions.check(opinions.OpinionForm(
            community_id=self.community_id, building_id=self.building_id,
            content=self.value("content") or "-", collected_on=self.value("collected_on")))
        self.show_error(name, None if name == "content" and not event.value
                        else errors.get(name))

    def form(self) -> opinions.OpinionForm | None:
        place = self.value("household").strip()
        household = residents.find_household(self.building_id, place) if place else None
        if place and household is None:
            self.show_errors({"household": "household"}, FIELDS)
            return None
        return opinions.OpinionForm(
            community_id=self.community_id, building_id=self.building_id,
            household_id=household,
            resident_id=self.resident_id if household == self.household_id else None,
            channel=str(self.query_one("#f-channel", Select).value),
            category=str(self.query_one("#f-category", Select).value),
            content=self.value("content"), collected_on=self.value("collected_on"),
            collected_by=self.value("collected_by"), visit_id=self.visit_id)

    def action_save(self) -> None:
        form = self.form()
        if form is None:
            return
        opinion_id = self.opinion_id

        def work() -> str:
            if opinion_id:
                opinions.update(opinion_id, form)
                return opinion_id
            return opinions.record(form)

        self.save_form(work, opinions.CivicError, FIELDS, lambda _: t("civic.opinion_saved"))
