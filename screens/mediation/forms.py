"""Mediation forms: one generic modal form (label, field, reason next to it) and the
forms built on it — the record, a party, a mediator, a session, a term, a follow-up,
the outcome, a convention — plus the case search used to start from a case.

Forms validate as you type through the service's ``form_errors`` and save through its
``save_form``; a refused save writes nothing and keeps the form open with the reasons.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Footer, Input, Label, Select, SelectionList, Static, TextArea

from app import clock, keymap
from app.i18n import t
from app.services.mediation import conventions
from app.services.mediation import forms as med_forms
from app.services.mediation import records as med
from app.services.mediation import views as mediation_views
from screens import busy
from screens.widgets.resident_hits import ResidentHits

keymap.define("medform.save", "ctrl+s", "save")
keymap.define("medform.cancel", "escape", "cancel")

FORM_CSS = """
MedForm .med-form { width: 80; max-width: 100%; height: 1fr; max-height: 40;
                    border: thick $primary; background: $surface; padding: 0 1; }
MedForm .med-form-title { text-style: bold; color: $accent; height: 1; }
MedForm VerticalScroll { height: 1fr; }
MedForm .med-row { height: auto; margin-top: 1; }
MedForm .med-row Label { width: 16; }
MedForm .med-row Input, MedForm .med-row Select { width: 1fr; }
MedForm .med-row TextArea { width: 1fr; height: 3; }
MedForm .med-row SelectionList { width: 1fr; height: auto; max-height: 6; }
MedForm OptionList.hits { height: auto; max-height: 6; margin-left: 16; }
MedForm .med-error { color: $error; height: auto; padding-left: 16; }
MedForm .med-error.-empty { display: none; }
MedForm .med-hint { color: $text-muted; height: 1; }
"""


@dataclass
class FieldSpec:
    """One field: ``kind`` is text, area, select, multi or resident (text + picker)."""

    name: str
    label: str
    kind: str = "text"
    value: Any = ""
    options: list[tuple[str, str]] = field(default_factory=list)  # (label, value)
    placeholder: str = ""


Check = Callable[[dict[str, Any]], dict[str, str]]
Save = Callable[[dict[str, Any]], str]


@keymap.bound
class MedForm(ModalScreen[str | None]):
    """A modal form; dismisses with the saved record's id (None when cancelled)."""

    DEFAULT_CSS = FORM_CSS
    KEYS = ("medform.save", "medform.cancel")

    def __init__(self, title: str, fields: list[FieldSpec], check: Check, save: Save) -> None:
        super().__init__()
        self.form_title, self.fields = title, fields
        self._check, self._save = check, save
        self._ready = False
        self._touched: set[str] = set()

    def compose(self) -> ComposeResult:
        with Vertical(classes="med-form"):
            yield Static(self.form_title, classes="med-form-title")
            with VerticalScroll():
                for i, spec in enumerate(self.fields):
                    with Horizontal(classes="med-row"):
                        yield Label(spec.label)
                        yield self._widget(i, spec)
                    if spec.kind == "resident":
                        yield ResidentHits(id=f"h-{i}")
                    yield Static("", id=f"e-{i}", classes="med-error -empty")
            yield Static("", id="form-error", classes="med-error -empty")
            yield Static(t("med.form.hint"), classes="med-hint")
        yield Footer()

    def _widget(self, i: int, spec: FieldSpec) -> Widget:
        wid = f"f-{i}"
        if spec.kind == "select":
            value = spec.value if spec.value in {v for _, v in spec.options} else Select.NULL
            return Select(spec.options, value=value, prompt=t("med.choose"), id=wid,
                          compact=True)
        if spec.kind == "multi":
            chosen = set(spec.value or [])
            return SelectionList[str](*[(label, v, v in chosen) for label, v in spec.options],
                                      id=wid, compact=True)
        if spec.kind == "area":
            return TextArea(str(spec.value or ""), id=wid, compact=True, soft_wrap=True,
                            show_line_numbers=False)
        return Input(str(spec.value or ""), placeholder=spec.placeholder, id=wid, compact=True)

    def on_mount(self) -> None:
        self.query_one("#f-0").focus()
        self.call_after_refresh(self._arm)

    def _arm(self) -> None:
        self._ready = True

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for i, spec in enumerate(self.fields):
            widget = self.query_one(f"#f-{i}")
            if isinstance(widget, Select):
                out[spec.name] = "" if widget.is_blank() else str(widget.value)
            elif isinstance(widget, SelectionList):
                out[spec.name] = list(widget.selected)
            elif isinstance(widget, TextArea):
                out[spec.name] = widget.text
            elif isinstance(widget, Input):
                out[spec.name] = widget.value
        return out

    def show_errors(self, errors: dict[str, str]) -> None:
        names = {spec.name for spec in self.fields}
        for i, spec in enumerate(self.fields):
            message = errors.get(spec.name, "")
            error = self.query_one(f"#e-{i}", Static)
            error.update(message)
            error.set_class(not message, "-empty")
        rest = "；".join(v for k, v in errors.items() if k not in names)
        general = self.query_one("#form-error", Static)
        general.update(t("med.form.refused", reason=rest) if rest else "")
        general.set_class(not rest, "-empty")

    def _focus_first(self, errors: dict[str, str]) -> None:
        for i, spec in enumerate(self.fields):
            if spec.name in errors:
                self.query_one(f"#f-{i}").focus()
                return

    def _validate(self, widget: Widget | None) -> None:
        """Show the reasons for the fields touched so far (all of them on save)."""
        if not self._ready:
            return
        if widget is not None and widget.id and widget.id.startswith("f-"):
            self._touched.add(self.fields[int(widget.id[2:])].name)
        errors = self._check(self.values())
        self.show_errors({k: v for k, v in errors.items() if k in self._touched})

    def on_input_changed(self, event: Input.Changed) -> None:
        self._validate(event.input)
        if self._ready and (hits := ResidentHits.under(self, event.input)) is not None:
            hits.find(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if (hits := ResidentHits.under(self, event.input)) is not None:
            hits.submit()

    def on_resident_hits_picked(self, event: ResidentHits.Picked) -> None:
        """Name and door filled; the contact shown masked, left blank (the service takes it)."""
        event.stop()
        fill = {"name": event.choice.name, "room": event.choice.door, "contact": ""}
        for i, spec in [(i, f) for i, f in enumerate(self.fields) if f.name in fill]:
            box = self.query_one(f"#f-{i}", Input)
            with box.prevent(Input.Changed):
                box.value = fill[spec.name]
            if spec.name == "contact":
                box.placeholder = event.choice.phone
                box.focus()
        self._validate(None)

    def on_select_changed(self, event: Select.Changed) -> None:
        self._validate(event.select)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._validate(event.text_area)

    def on_selection_list_selected_changed(
            self, event: SelectionList.SelectedChanged[str]) -> None:
        self._validate(event.selection_list)

    def action_save(self) -> None:
        values = self.values()
        # waits for an import holding the database, the form kept (issue 18)
        busy.save(self, lambda: self._save(values), self.dismiss, self._refused)

    def _refused(self, exc: Exception) -> bool:
        if not isinstance(exc, med.MediationError):
            return False
        self.show_errors(exc.errors)
        self._focus_first(exc.errors)
        return True

    def action_cancel(self) -> None:
        self.dismiss(None)


def _options(prefix: str, values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(t(f"{prefix}.{v}"), v) for v in values]


def _now_text() -> str:
    return clock.local(clock.now()).strftime("%Y-%m-%d %H:%M")


def _form(kind: str, title: str, fields: list[FieldSpec], community_id: str,
          mediation_id: str | None = None, item_id: str | None = None,
          case_id: str | None = None) -> MedForm:
    return MedForm(
        title, fields,
        lambda v: med_forms.form_errors(kind, v, community_id, mediation_id),
        lambda v: med_forms.save_form(kind, v, community_id, mediation_id, item_id, case_id))


def mediation_form(community_id: str, current: mediation_views.MediationDetail | None = None,
                   case: mediation_views.CaseBrief | None = None) -> MedForm:
    """New (optionally from a case) or edit the record itself."""
    title = t("med.form.edit") if current else (
        t("med.form.new_from_case", number=case.number) if case else t("med.form.new"))
    guess = case.subcategory if case and case.subcategory in med.DISPUTE_TYPES else ""
    fields = [
        FieldSpec("dispute_type", t("med.f.dispute_type"), "select",
                  current.dispute_type if current else guess,
                  _options("med.type", med.DISPUTE_TYPES)),
        FieldSpec("title", t("med.f.title"), value=current.title if current else (
            case.description[:40] if case else "")),
        FieldSpec("building_number", t("med.f.building_number"),
                  value=current.building if current else (case.building if case else "")),
        FieldSpec("opened_on", t("med.f.opened_on"), placeholder=t("med.ph.date"),
                  value=(current.opened_on if current else clock.today()).isoformat()),
        FieldSpec("facts", t("med.f.facts"), "area",
                  current.facts if current else (case.description if case else "")),
    ]
    return _form("mediation", title, fields, community_id, item_id=current.id if current else None,
                 case_id=case.id if case else None)


def party_form(community_id: str, mediation_id: str,
               party: mediation_views.PartyView | None = None, side: str = "A") -> MedForm:
    fields = [
        FieldSpec("side", t("med.f.side"), "select", party.side if party else side,
                  _options("med.side", med.SIDES)),
        FieldSpec("room", t("med.f.room"), value=party.room if party else "",
                  placeholder=t("med.ph.room")),
        FieldSpec("name", t("med.f.name"), "resident", party.name if party else "",
                  placeholder=t("med.ph.party_find")),
        FieldSpec("contact", t("med.f.contact"), value="",
                  placeholder=party.contact if party else ""),  # masked; blank keeps it
        FieldSpec("address", t("med.f.address"), value=party.address if party else ""),
    ]
    return _form("party", t("med.form.party"), fields, community_id, mediation_id,
                 party.id if party else None)


def mediator_form(community_id: str, mediation_id: str,
                  mediator: mediation_views.MediatorView | None = None) -> MedForm:
    fields = [
        FieldSpec("name", t("med.f.name"), value=mediator.name if mediator else ""),
        FieldSpec("role", t("med.f.role"), "select", mediator.role if mediator else "",
                  _options("med.role", med.MEDIATOR_ROLES)),
    ]
    return _form("mediator", t("med.form.mediator"), fields, community_id, mediation_id,
                 mediator.id if mediator else None)


def session_form(community_id: str, mediation_id: str) -> MedForm:
    """A new session (sessions are append-only)."""
    fields = [
        FieldSpec("held_at", t("med.f.held_at"), value=_now_text(),
                  placeholder=t("med.ph.datetime")),
        FieldSpec("place", t("med.f.place"), "select", "mediation_room",
                  _options("med.place", med.PLACES)),
        FieldSpec("attendees", t("med.f.attendees")),
        FieldSpec("said_a", t("med.f.said_a"), "area"),
        FieldSpec("said_b", t("med.f.said_b"), "area"),
        FieldSpec("notes", t("med.f.notes"), "area"),
        FieldSpec("drawings", t("med.f.drawings"), placeholder=t("med.ph.lines")),
        FieldSpec("laws", t("med.f.laws"), placeholder=t("med.ph.lines")),
        FieldSpec("conventions", t("med.f.conventions"), "multi", [],
                  conventions.choices(community_id)),
        FieldSpec("others", t("med.f.others"), placeholder=t("med.ph.lines")),
    ]
    return _form("session", t("med.form.session"), fields, community_id, mediation_id)


def term_form(community_id: str, detail: mediation_views.MediationDetail,
              term: mediation_views.TermView | None = None) -> MedForm:
    parties = [(f"{t(f'med.side_short.{p.side}')} {p.name}", p.id) for p in detail.parties]
    fields = [
        FieldSpec("party_id", t("med.f.party_id"), "select", term.party_id if term else "",
                  parties),
        FieldSpec("obligation", t("med.f.obligation"), "area", term.obligation if term else ""),
        FieldSpec("deadline", t("med.f.deadline"), placeholder=t("med.ph.date"),
                  value=term.deadline.isoformat() if term and term.deadline else ""),
        FieldSpec("cost", t("med.f.cost"), value=med.yuan(term.cost_fen) if term else ""),
    ]
    return _form("term", t("med.form.term"), fields, community_id, detail.id,
                 term.id if term else None)


def follow_up_form(community_id: str, detail: mediation_views.MediationDetail) -> MedForm:
    """A follow-up visit: one status per term, preset to the term's current status."""
    fields = [
        FieldSpec("at", t("med.f.at"), value=_now_text(), placeholder=t("med.ph.datetime")),
        FieldSpec("by", t("med.f.by")),
    ]
    for term in detail.terms:
        label = t("med.f.check", text=f"{term.seq}.{term.party}")
        fields.append(FieldSpec(f"check.{term.id}", label, "select", term.status,
                                _options("med.check", med.CHECKS)))
    fields.append(FieldSpec("notes", t("med.f.notes"), "area"))
    return _form("follow_up", t("med.form.follow_up"), fields, community_id, detail.id)


def outcome_form(community_id: str, detail: mediation_views.MediationDetail) -> MedForm:
    fields = [
        FieldSpec("outcome", t("med.f.outcome"), "select",
                  detail.status if detail.status != "open" else "",
                  [(t(f"mediation.status.{o}"), o) for o in med.OUTCOMES]),
        FieldSpec("closed_on", t("med.f.closed_on"), placeholder=t("med.ph.date"),
                  value=(detail.closed_on or clock.today()).isoformat()),
        FieldSpec("reason", t("med.f.reason"), "area", detail.outcome_reason),
        FieldSpec("referred_to", t("med.f.referred_to"), "select", detail.referred_to,
                  _options("med.referral", med.REFERRALS)),
    ]
    return _form("outcome", t("med.form.outcome"), fields, community_id, detail.id)


def convention_form(community_id: str,
                    current: conventions.ConventionDetail | None = None) -> MedForm:
    fields = [
        FieldSpec("title", t("conv.f.title"), value=current.title if current else ""),
        FieldSpec("scope", t("conv.f.scope"), "select",
                  current.scope if current else "community",
                  _options("conv.scope", conventions.SCOPES)),
        FieldSpec("scope_ref", t("conv.f.scope_ref"), value=current.scope_ref if current else ""),
        FieldSpec("adopted_on", t("conv.f.adopted_on"), placeholder=t("med.ph.date"),
                  value=current.adopted_on.isoformat() if current and current.adopted_on
                  else ""),
        FieldSpec("meeting", t("conv.f.meeting"), value=current.meeting if current else ""),
        FieldSpec("text", t("conv.f.text"), "area", current.text if current else ""),
    ]
    item = current.id if current else None
    return MedForm(t("conv.form.edit") if current else t("conv.form.new"), fields,
                   lambda v: conventions.form_errors(v, community_id),
                   lambda v: conventions.save_form(v, community_id, item))
