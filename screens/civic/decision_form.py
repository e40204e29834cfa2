"""Decision form: one agenda item's vote (for / against / abstain), outcome, decision, the
item's new status (不予采纳 with a reason) and a convention the decision adopts."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Footer, Input, Select, Static

from app.i18n import t
from app.services.civic import items, meetings
from screens.places.resident_form import FormScreen

FIELDS = ("outcome", "votes_for", "votes_against", "votes_abstain", "decision", "new_status",
          "reason", "convention")


class DecisionFormScreen(FormScreen):
    """Record what the meeting decided on one item."""

    def __init__(self, row: meetings.AgendaRow) -> None:
        super().__init__()
        self.agenda = row

    def compose(self) -> ComposeResult:
        a = self.agenda
        outcomes = [(t(f"civic.outcome.{o}"), o) for o in meetings.OUTCOMES]
        statuses = [(t(f"civic.status.{s}"), s) for s in items.STATUSES]
        with Vertical(classes="form"):
            yield Static(t("civic.form.decision_title", title=a.title), classes="form-title")
            yield from self.row("outcome", Select(outcomes, value=a.outcome or "adopted",
                                                  allow_blank=False, id="f-outcome",
                                                  compact=True))
            for name, value in zip(("votes_for", "votes_against", "votes_abstain"), a.votes,
                                   strict=True):
                yield from self.row(name, Input(str(value or ""), id=f"f-{name}",
                                                compact=True, placeholder="0"))
            yield from self.row("decision", Input(a.decision, id="f-decision", compact=True))
            status = Select(statuses, id="f-new_status", compact=True,
                            prompt=t("civic.form.keep_status"))
            if a.new_status:
                status.value = a.new_status
            yield from self.row("new_status", status)
            yield from self.row("reason", Input(id="f-reason", compact=True))
            yield from self.row("convention", Input(a.convention, id="f-convention",
                                                    compact=True,
                                                    placeholder=t("civic.form.conv_hint")))
            yield Static(t("form.hint"), classes="form-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#f-votes_for", Input).focus()

    def show_error(self, name: str, code: str | None) -> None:
        for err in self.query(f"#err-{name}").results(Static):
            err.update(t(f"civic.err.{code}") if code else "")
            err.set_class(not code, "-empty")

    def action_save(self) -> None:
        status = self.query_one("#f-new_status", Select).value
        form = meetings.DecisionForm(
            outcome=str(self.query_one("#f-outcome", Select).value),
            votes_for=self.value("votes_for"), votes_against=self.value("votes_against"),
            votes_abstain=self.value("votes_abstain"), decision=self.value("decision"),
            new_status=str(status) if isinstance(status, str) else "",
            reason=self.value("reason"), convention=self.value("convention"))
        agenda_id = self.agenda.id

        def work() -> str:
            meetings.decide(agenda_id, form)
            return agenda_id

        self.save_form(work, meetings.CivicError, FIELDS, lambda _: t("civic.decided"))
