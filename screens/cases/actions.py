"""Lifecycle actions on a case, shared by the cases list and the case detail.

One key per action. A key whose action the case does not allow now is refused at once
with the reason (nothing is asked, nothing recorded); otherwise a small dialog asks for
what the action needs (a reason, a target, a rating) and the service records it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from app import keymap
from app.i18n import t
from app.services.cases import lifecycle as cases
from app.services.cases import views as case_views
from app.services.search import typeahead
from screens import busy

#: action (event kind) -> default key; binding ids ``cases.<kind>``.
ACTION_KEYS: dict[str, str] = {
    "responded": "r", "dispatched": "d", "signed": "s", "returned": "b", "started": "g",
    "resolved": "v", "evaluated": "p", "closed": "c", "reopened": "o", "escalated": "u",
    "deescalated": "l", "merged": "m", "cancelled": "x",
}
for _kind, _key in ACTION_KEYS.items():
    keymap.define(f"cases.{_kind}", _key, f"case_action('{_kind}')")
ACTION_IDS = tuple(f"cases.{k}" for k in ACTION_KEYS)
#: actions recorded straight away (the note is optional and can follow in the timeline)
DIRECT = frozenset({"responded", "signed", "started", "closed"})

#: Compact forms: one line per field so the intake fits at 80x24.
FORM_CSS = """
.dialog.case-form { width: 78; max-width: 100%; max-height: 100%; padding: 0 1; }
.case-form .form-row { height: auto; margin-bottom: 0; }
.case-form .form-label { width: 14; padding-right: 1; color: $text-muted; }
.case-form .form-row Input, .case-form .form-row Select { width: 1fr; }
.case-form .form-error { color: $error; height: auto; }
.case-form OptionList.hits { height: auto; max-height: 8; margin-left: 14; }
.case-form TextArea { height: 10; }
"""


def widen(screen: ModalScreen[Any]) -> None:
    """The app stylesheet fixes dialogs at 60 cells; forms need the whole 80."""
    for box in screen.query(".case-form"):
        box.styles.width = 78
        box.styles.max_width = "100%"
        box.styles.padding = (0, 1)


def field_input(**kwargs: Any) -> Input:
    return Input(compact=True, **kwargs)


def field_select(options: Any, **kwargs: Any) -> Select[Any]:
    return Select(options, compact=True, **kwargs)


class _Form(ModalScreen[dict[str, Any] | None]):
    """Base of the small action dialogs: Ctrl+S saves, Esc cancels."""

    DEFAULT_CSS = FORM_CSS
    BINDINGS = [Binding("ctrl+s", "save", t("intake.save"), priority=True),
                Binding("escape", "cancel", t("intake.cancel"))]

    def __init__(self, title: str, subject: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.subject = subject  # the record acted on: number and one line of it
        #: records the values; returns the refusal (the dialog then stays open) or None
        self.submit: Callable[[dict[str, Any]], cases.CaseRefused | None] | None = None

    def row(self, name: str, widget: Any) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield Label(t(f"action_form.{name}"), classes="form-label")
            yield widget

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog case-form"):
            yield Static(f"[b]{self.title_text}[/b]  {t('intake.hint')}")
            if self.subject:
                yield Static(t("action_form.subject", what=self.subject), id="form-subject",
                             markup=False)
            yield from self.fields()
            yield Static("", id="form-error", classes="form-error")

    def fields(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        widen(self)
        first = self.query("Input, Select")
        if first:
            first.first().focus()

    def show_error(self, text: str) -> None:
        self.query_one("#form-error", Static).update(text)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        self.save(self.result())

    def save(self, values: dict[str, Any]) -> None:
        """Record, and close only if it was accepted: a refusal keeps what was typed and
        puts the cursor in the field to fix."""
        submit = self.submit
        if submit is None:
            self.dismiss(values)
            return
        # waits for an import holding the database, the dialog kept (issue 18)
        busy.save(self, lambda: submit(values), lambda refused: self._saved(values, refused))

    def _saved(self, values: dict[str, Any], refused: cases.CaseRefused | None) -> None:
        if refused is None:
            self.dismiss(values)
            return
        self.show_error(str(refused))
        fields = self.query(f"#{refused.field}") if refused.field else None
        if fields:
            fields.first().focus()

    def result(self) -> dict[str, Any]:
        return {}


class NoteForm(_Form):
    """A reason or result: return, escalate, de-escalate, cancel, reopen, resolve."""

    def fields(self) -> ComposeResult:
        yield from self.row("note", field_input(id="note"))

    @on(Input.Submitted, "#note")
    def _submit(self) -> None:
        self.action_save()

    def result(self) -> dict[str, Any]:
        return {"note": self.query_one("#note", Input).value}


class MergeForm(NoteForm):
    def fields(self) -> ComposeResult:
        yield from self.row("into", field_input(placeholder="DT-20261125-001", id="into"))
        yield from super().fields()

    def result(self) -> dict[str, Any]:
        return {**super().result(), "into": self.query_one("#into", Input).value}


class DispatchForm(_Form):
    """Pick who handles it: type to narrow the list, Enter picks."""

    def __init__(self, title: str, targets: list[case_views.Target],
                 subject: str = "") -> None:
        super().__init__(title, subject)
        self.targets = targets

    def fields(self) -> ComposeResult:
        yield from self.row("to", field_input(placeholder=t("action_form.to_hint"), id="to"))
        yield OptionList(*self._options(""), id="targets", classes="hits")
        yield from self.row("to_kind", field_select([(t(f"target.{k}"), k)
                                               for k in cases.TARGET_KINDS], value="person",
                                              allow_blank=False, id="to_kind"))
        yield from self.row("note", field_input(id="note"))

    def _options(self, text: str) -> list[Option]:
        """Targets matching by name, pinyin or initials (``lwy`` finds 李伟友)."""
        found = typeahead.narrow(text, list(enumerate(self.targets)), lambda p: p[1].name,
                                 lambda p: (p[1].detail,))
        return [Option(f"{x.name}  [{t(f'target.{x.kind}')}] {x.detail}", id=str(i))
                for i, x in found[:50]]

    @on(Input.Changed, "#to")
    def _narrow(self, event: Input.Changed) -> None:
        box = self.query_one("#targets", OptionList)
        box.clear_options()
        box.add_options(self._options(event.value.strip()))

    @on(Input.Submitted, "#to")
    def _to_list(self) -> None:
        box = self.query_one("#targets", OptionList)
        if box.option_count:
            box.focus()
            box.highlighted = 0

    @on(OptionList.OptionSelected, "#targets")
    def _pick(self, event: OptionList.OptionSelected) -> None:
        target = self.targets[int(event.option.id or 0)]
        to = self.query_one("#to", Input)
        with to.prevent(Input.Changed):
            to.value = target.name
        self.query_one("#to_kind", Select).value = target.kind
        self.query_one("#note", Input).focus()

    @on(Input.Submitted, "#note")
    def _submit(self) -> None:
        self.action_save()

    def result(self) -> dict[str, Any]:
        return {"to": self.query_one("#to", Input).value,
                "to_kind": self.query_one("#to_kind", Select).value,
                "note": self.query_one("#note", Input).value}


class EvaluateForm(_Form):
    """Two-way evaluation: the resident's score, and the community's rating of the handler."""

    def fields(self) -> ComposeResult:
        yield from self.row("score", field_input(placeholder="1-5", type="integer", max_length=1,
                                           id="score"))
        methods = [(t(f"method.{m}"), m) for m in cases.EVAL_METHODS]
        yield from self.row("method", field_select(methods, value="phone_callback",
                                                   allow_blank=False, id="method"))
        yield from self.row("comment", field_input(id="comment"))
        yield Static(t("action_form.counter"), classes="section-title")
        yield from self.row("timeliness", field_input(placeholder="1-5", type="integer",
                                                max_length=1, id="timeliness"))
        yield from self.row("quality", field_input(placeholder="1-5", type="integer", max_length=1,
                                             id="quality"))
        yield from self.row("handler_comment", field_input(id="handler_comment"))

    def _int(self, name: str) -> int | None:
        text = self.query_one(f"#{name}", Input).value.strip()
        return int(text) if text.isdigit() else None

    def result(self) -> dict[str, Any]:
        return {"score": self._int("score"), "method": self.query_one("#method", Select).value,
                "comment": self.query_one("#comment", Input).value,
                "timeliness": self._int("timeliness"), "quality": self._int("quality"),
                "handler_comment": self.query_one("#handler_comment", Input).value}

    def action_save(self) -> None:
        values = self.result()
        try:
            cases.EvaluationForm.model_validate(values)
        except ValueError:
            self.show_error(t("action_form.score_range"))
            return
        self.save(values)


class CaseActions:
    """Mixin for screens showing a case: ``current_case_id()`` and ``case_changed()``."""

    app: Any

    def current_case_id(self) -> str | None:
        raise NotImplementedError

    def case_changed(self, case_id: str) -> None:
        raise NotImplementedError

    def _actor(self) -> str:
        return str(getattr(self.app, "operator_name", "") or "")

    def action_case_action(self, kind: str) -> None:
        case_id = self.current_case_id()
        if case_id is None:
            return
        reason = cases.refusal(cases.current(case_id), kind)
        if reason:
            self.app.notify(reason, severity="error", timeout=6)
            return
        if kind in DIRECT:
            self._record(case_id, kind, {})
            return
        title, subject = t(f"cases.action.{kind}"), case_views.headline(case_id)
        form: _Form
        if kind == "dispatched":
            form = DispatchForm(title, case_views.dispatch_targets(self.app.community_id,
                                                                  case_id), subject)
        elif kind == "evaluated":
            form = EvaluateForm(title, subject)
        elif kind == "merged":
            form = MergeForm(title, subject)
        else:
            form = NoteForm(title, subject)
        form.submit = lambda values: self._try(case_id, kind, values)
        self.app.push_screen(form, lambda values: self._done(case_id, kind, values))

    def _try(self, case_id: str, kind: str, values: dict[str, Any]) -> cases.CaseRefused | None:
        """Record on the case captured when the dialog opened; the refusal, if any."""
        try:
            if kind == "evaluated":
                cases.evaluate(case_id, values, actor=self._actor())
            else:
                cases.act(case_id, kind, actor=self._actor(), **values)
        except cases.CaseRefused as exc:
            return exc
        return None

    def _record(self, case_id: str, kind: str, values: dict[str, Any]) -> None:
        def recorded(refused: cases.CaseRefused | None) -> None:
            if refused is not None:
                self.app.notify(str(refused), severity="error", timeout=6)
                return
            self._done(case_id, kind, values)

        # waits for an import holding the database (issue 18)
        busy.save(self, lambda: self._try(case_id, kind, values), recorded)  # type: ignore[arg-type]

    def _done(self, case_id: str, kind: str, values: dict[str, Any] | None) -> None:
        if values is None:
            return
        self.app.notify(t("cases.recorded_on", action=t(f"cases.action.{kind}"),
                          number=case_views.headline(case_id, 0)),
                        timeout=3)
        self.case_changed(case_id)
