"""Resident form: add or edit a resident, with the reason for a refusal next to the field.

Ctrl+S (or Enter in any field) saves through :mod:`app.services.places.residents`; a refused
save writes nothing and leaves the form open. Dismisses with the resident's id.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, Select, Static

from app import clock, keymap, labels
from app.i18n import t
from app.services.places import residents
from app.validators import FieldError, validate_id_number, validate_mobile
from screens import busy

keymap.define("pform.save", "ctrl+s", "save")
keymap.define("pform.cancel", "escape", "cancel")

FIELDS = ("name", "id_number", "birth_date", "gender", "phone", "place")
FORM_CSS = """
.form { width: 76; max-width: 100%; height: auto; max-height: 100%; border: thick $primary;
        background: $surface; padding: 0 1; }
.form-title { text-style: bold; color: $accent; height: 1; }
.form-row { height: 1; margin-top: 1; }
.form-row Label { width: 12; }
.form-row Input, .form-row Select { width: 1fr; }
.field-error { color: $error; height: auto; padding-left: 12; }
.field-error.-empty { display: none; }
.form-hint { color: $text-muted; height: 1; margin-top: 1; }
"""


@keymap.bound
class FormScreen(ModalScreen[str | None]):
    """Shared shape of the modal forms: rows of label + field + error line."""

    DEFAULT_CSS = FORM_CSS
    KEYS = ("pform.save", "pform.cancel")

    def row(self, name: str, widget: Input | Select[str]) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield Label(t(f"form.{name}"))
            yield widget
        yield Static("", id=f"err-{name}", classes="field-error -empty")

    def show_error(self, name: str, code: str | None) -> None:
        for err in self.query(f"#err-{name}").results(Static):
            err.update(t(f"places.err.{code}") if code else "")
            err.set_class(not code, "-empty")

    def show_errors(self, errors: dict[str, str], fields: tuple[str, ...]) -> None:
        for name in fields:
            self.show_error(name, errors.get(name))
        first = next((n for n in fields if n in errors), None)
        if first:
            for widget in self.query(f"#f-{first}"):
                widget.focus()

    def value(self, name: str) -> str:
        return self.query_one(f"#f-{name}", Input).value

    def on_input_submitted(self) -> None:
        self.action_save()

    def save_form(self, work: Callable[[], str], refusal: type[Exception],
                  fields: tuple[str, ...], notice: Callable[[str], str]) -> None:
        """``work()`` (waiting for an import, issue 18); ``refusal``'s errors are shown
        under ``fields`` and the form stays; saved: ``notice(key)`` and close."""
        def saved(key: str) -> None:
            self.notify(notice(key))
            self.dismiss(key)

        def refused(exc: Exception) -> bool:
            if not isinstance(exc, refusal):
                return False
            self.show_errors(getattr(exc, "errors", {}), fields)
            self.notify(t("form.refused"), severity="error")
            return True

        busy.save(self, work, saved, refused)

    def action_save(self) -> None:
        raise NotImplementedError

    def action_cancel(self) -> None:
        self.dismiss(None)


class ResidentFormScreen(FormScreen):
    """Add a resident to a building, or edit one."""

    def __init__(self, building_id: str, resident_id: str | None = None,
                 place: str = "") -> None:
        super().__init__()
        self.building_id, self.resident_id = building_id, resident_id
        self.initial = residents.resident_form(resident_id) if resident_id \
            else residents.ResidentForm(place=place)

    def compose(self) -> ComposeResult:
        f = self.initial
        title = t("form.edit_resident") if self.resident_id else t("form.new_resident")
        relations = [(labels.field("resident", "relation", r), r) for r in residents.RELATIONS]
        with Vertical(classes="form"):
            yield Static(title, classes="form-title")
            yield from self.row("name", Input(f.name, id="f-name", compact=True))
            yield from self.row("id_number", Input(f.id_number, id="f-id_number", compact=True,
                                                   placeholder=t("form.id_hint")))
            yield from self.row("birth_date", Input(f.birth_date, id="f-birth_date",
                                                    compact=True, placeholder="YYYY-MM-DD"))
            yield from self.row("gender", Input(labels.field("resident", "gender", f.gender),
                                                id="f-gender", compact=True,
                                                placeholder=t("form.gender_hint")))
            yield from self.row("phone", Input(f.phone, id="f-phone", compact=True))
            yield from self.row("relation", Select(relations, value=f.relation,
                                                   allow_blank=False, id="f-relation",
                                                   compact=True))
            yield from self.row("place", Input(f.place, id="f-place", compact=True,
                                               placeholder=t("form.place_hint")))
            yield Static(t("form.hint"), classes="form-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#f-name", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Validate as you type, once the value is long enough to judge."""
        name = (event.input.id or "")[2:]
        value = event.value.strip()
        check = {"id_number": (validate_id_number, 15), "phone": (validate_mobile, 11)}
        if name not in check:
            return
        validator, length = check[name]
        if len(value) < length or "*" in value:  # masked: kept as stored on save
            self.show_error(name, None)
            return
        try:
            if name == "id_number":
                validate_id_number(value, clock.today())
            else:
                validator(value)
            self.show_error(name, None)
        except FieldError as exc:
            self.show_error(name, exc.code)

    def form(self) -> residents.ResidentForm:
        relation = self.query_one("#f-relation", Select).value
        return residents.ResidentForm(
            name=self.value("name"), gender=self.value("gender"),
            id_number=self.value("id_number"), birth_date=self.value("birth_date"),
            phone=self.value("phone"), relation=str(relation), place=self.value("place"))

    def action_save(self) -> None:
        form, resident_id, building_id = self.form(), self.resident_id, self.building_id

        def work() -> str:
            if resident_id:
                residents.edit_resident(resident_id, form, building_id)
                return resident_id
            return residents.add_resident(form, building_id)

        busy.save(self, work, self._saved, self._refused)  # waits for an import (issue 18)

    def _saved(self, resident_id: str) -> None:
        self.dismiss(resident_id)

    def _refused(self, exc: Exception) -> bool:
        if not isinstance(exc, residents.ResidentFormError):
            return False
        self.show_errors(exc.errors, (*FIELDS, "relation"))
        self.notify(t("form.refused"), severity="error")
        return True
