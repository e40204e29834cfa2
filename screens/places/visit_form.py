"""Visit form: who, when (default now), which household, what was found, what was done,
whether a follow-up is needed — and, in the same flow, whether it becomes a case.

Everything is prefilled from where it was opened (map, ledger, key-care list); Ctrl+S
saves through :mod:`app.services.places.visits`. Dismisses with a short summary, or ``None``.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Footer, Input, Label, Select, Static

from app import labels
from app.i18n import t
from app.services.places import visits
from app.services.search.residents import door_of, find_door
from screens import busy
from screens.places.resident_form import FormScreen

FIELDS = ("visitor_name", "visited_at", "household", "findings", "services", "case_colour",
          "case_category")
VISIT_CSS = """
Checkbox { border: none; padding: 0; height: 1; background: $surface; margin-right: 2; }
#case-row Select { width: 16; margin-right: 1; }
"""


class VisitFormScreen(FormScreen):
    """Record one visit to a household of a building."""

    DEFAULT_CSS = FormScreen.DEFAULT_CSS + VISIT_CSS

    def __init__(self, building_id: str, household_id: str | None = None,
                 resident_id: str | None = None, resident_name: str = "",
                 kind: str = "routine", round_id: str | None = None) -> None:
        super().__init__()
        self.building_id, self.household_id = building_id, household_id
        self.resident_id, self.resident_name = resident_id, resident_name
        self.kind, self.round_id = kind, round_id

    def compose(self) -> ComposeResult:
        place = door_of(self.household_id) if self.household_id else ""  # 12-3-402
        who = f"{self.resident_name}　" if self.resident_name else ""
        round_name = visits.round_name(self.round_id)
        title = t("form.new_visit", who=who, kind=t(f"visit.kind.{self.kind}"))
        colours = [(labels.field("case", "colour", c), c) for c in visits.CASE_COLOURS]
        categories = [(t(f"category.{c}"), c) for c in visits.CASE_CATEGORIES]
        with Vertical(classes="form"):
            yield Static(title + (f"　〔{round_name}〕" if round_name else ""),
                         classes="form-title")
            yield from self.row("visitor_name", Input(
                visits.default_visitor(self.building_id), id="f-visitor_name", compact=True))
            yield from self.row("visited_at", Input(visits.now_text(), id="f-visited_at",
                                                    compact=True))
            yield from self.row("household", Input(place, id="f-household", compact=True,
                                                   placeholder=t("form.place_hint")))
            yield from self.row("findings", Input(id="f-findings", compact=True))
            yield from self.row("services", Input(id="f-services", compact=True,
                                                  placeholder=t("form.services_hint")))
            with Horizontal(classes="form-row"):
                yield Label("")
                yield Checkbox(t("form.follow_up"), id="f-follow_up", compact=True)
                yield Checkbox(t("form.make_case"), id="f-make_case", compact=True)
                yield Checkbox(t("civic.form.visit_opinion"), id="f-opinion", compact=True)
            with Horizontal(classes="form-row", id="case-row"):
                yield Label(t("form.case"))
                yield Select(colours, value="green", allow_blank=False, id="f-case_colour",
                             compact=True)
                yield Select(categories, value="119", allow_blank=False,
                             id="f-case_category", compact=True)
            yield Static("", id="err-case_colour", classes="field-error -empty")
            yield Static(t("form.hint"), classes="form-hint")
        yield Footer()

    def on_mount(self) -> None:
        target = "#f-findings" if self.household_id else "#f-household"
        self.query_one(target, Input).focus()

    def form(self) -> visits.VisitForm | None:
        household = find_door(self.value("household"), self.building_id)
        if household is None:
            self.show_errors({"household": "household_unknown"}, FIELDS)
            return None
        resident = self.resident_id if household == self.household_id else None
        return visits.VisitForm(
            household_id=household, resident_id=resident,
            visitor_name=self.value("visitor_name"), visited_at=self.value("visited_at"),
            kind=self.kind, findings=self.value("findings"), services=self.value("services"),
            follow_up=self.query_one("#f-follow_up", Checkbox).value,
            make_case=self.query_one("#f-make_case", Checkbox).value,
            case_colour=str(self.query_one("#f-case_colour", Select).value),
            case_category=str(self.query_one("#f-case_category", Select).value),
            round_id=self.round_id)

    def action_save(self) -> None:
        form = self.form()
        if form is None:
            return
        self._form = form  # the opinion form after the visit starts from its findings
        busy.save(self, lambda: visits.record_visit(form), self._saved, self._refused)

    def _refused(self, exc: Exception) -> bool:
        if isinstance(exc, visits.VisitFormError):
            self.show_errors(exc.errors, FIELDS)
            self.notify(t("form.refused"), severity="error")
            return True
        if isinstance(exc, ValueError):  # the cases service refused the case
            self.show_error("case_colour", None)
            self.notify(str(exc), severity="error")
            return True
        return False

    def _saved(self, result: visits.VisitResult) -> None:
        message = t("form.visit_saved_case", number=result.case_number) if result.case_number \
            else t("form.visit_saved")
        self.notify(message)
        self.dismiss(result.visit_id)
        if self.query_one("#f-opinion", Checkbox).value:  # 居民意见: its form comes next
            from screens.civic.reach import opinion_after_visit

            opinion_after_visit(self.app, self.building_id, self._form, result.visit_id)
