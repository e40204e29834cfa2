"""Intake 受理: a new case from any screen (F9), saved in seconds; shows the new number."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from app.i18n import t
from app.services.cases import lifecycle as cases
from app.services.cases import views as case_views
from screens import busy
from screens.cases.actions import FORM_CSS, field_input, field_select, widen


def _options(prefix: str, values: tuple[str, ...] | list[str]) -> list[tuple[str, str]]:
    return [(t(f"{prefix}.{v}"), v) for v in values]


class IntakeScreen(ModalScreen[cases.NewCase | None]):
    """The intake form. Ctrl+S saves, Esc cancels; the reporter is found as you type."""

    DEFAULT_CSS = FORM_CSS
    BINDINGS = [Binding("ctrl+s", "save", t("intake.save"), priority=True),
                Binding("escape", "cancel", t("intake.cancel"))]

    def __init__(self, community_id: str) -> None:
        super().__init__()
        self.community_id = community_id
        self.reporter_id: str | None = None
        self._colour_touched = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog case-form"):
            yield Static(f"[b]{t('intake.title')}[/b]  {t('intake.hint')}")
            yield from self._row("channel", field_select(_options("channel", cases.CHANNELS),
                                                   value="phone", allow_blank=False,
                                                   id="channel"))
            yield from self._row("category", field_select([(f"{c} {t(f'category.{c}')}", c)
                                                           for c in cases.CATEGORIES],
                                                    value="110", allow_blank=False,
                                                    id="category"))
            yield from self._row("subcategory", field_select(self._subs("110"), prompt="—",
                                                          id="subcategory"))
            yield from self._row("reporter", field_input(placeholder=t("intake.reporter_hint"),
                                                   id="reporter"))
            yield OptionList(id="reporter-hits")
            yield from self._row("place", field_input(placeholder=t("intake.place_hint"),
                                                      id="place"))
            yield from self._row("description", field_input(id="description"))
            yield from self._row("colour", field_select(_options("colour", cases.COLOURS),
                                                  value="yellow", allow_blank=False,
                                                  id="colour"))
            yield from self._row("level", field_select(_options("level", cases.LEVELS),
                                                       value="grid", allow_blank=False,
                                                       id="level"))
            yield Static("", id="intake-error", classes="form-error")

    def _row(self, name: str, widget: Any) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield Label(t(f"intake.{name}"), classes="form-label")
            yield widget

    @staticmethod
    def _subs(category: str) -> list[tuple[str, str]]:
        return [(cases.subcategory_label(s), s) for s in cases.subcategories().get(category, [])]

    def on_mount(self) -> None:
        widen(self)
        self.query_one("#reporter-hits", OptionList).display = False
        self.query_one("#category", Select).focus()

    @on(Select.Changed, "#category")
    def _category(self, event: Select.Changed) -> None:
        category = str(event.value)
        self.query_one("#subcategory", Select).set_options(self._subs(category))
        self._suggest()

    @on(Select.Changed, "#subcategory")
    def _sub(self) -> None:
        self._suggest()

    @on(Select.Changed, "#colour")
    def _colour(self, event: Select.Changed) -> None:
        if event.value != self._suggested():
            self._colour_touched = True

    def _suggested(self) -> str:
        sub = self.query_one("#subcategory", Select).value
        return cases.suggest_colour(str(self.query_one("#category", Select).value),
                                    "" if sub is Select.NULL else str(sub))

    def _suggest(self) -> None:
        if not self._colour_touched:
            self.query_one("#colour", Select).value = self._suggested()

    @on(Input.Changed, "#reporter")
    def _find(self, event: Input.Changed) -> None:
        hits = case_views.find_residents(event.value) if len(event.value.strip()) >= 1 else []
        box = self.query_one("#reporter-hits", OptionList)
        box.clear_options()
        box.add_options([Option(f"{h.name}  {h.place}  {h.phone}", id=h.id) for h in hits])
        box.display = bool(hits)
        self.reporter_id = None

    @on(Input.Submitted, "#reporter")
    def _to_hits(self) -> None:
        box = self.query_one("#reporter-hits", OptionList)
        if box.display:
            box.focus()
            box.highlighted = 0

    @on(OptionList.OptionSelected, "#reporter-hits")
    def _pick(self, event: OptionList.OptionSelected) -> None:
        self.reporter_id = event.option.id
        reporter = self.query_one("#reporter", Input)
        with reporter.prevent(Input.Changed):
            reporter.value = str(event.option.prompt).split("  ")[0]
        place = str(event.option.prompt).split("  ")[1]
        self.query_one("#place", Input).value = place
        event.option_list.display = False
        self.query_one("#description", Input).focus()

    def values(self) -> dict[str, Any]:
        sub = self.query_one("#subcategory", Select).value
        name = self.query_one("#reporter", Input).value
        return {
            "channel": self.query_one("#channel", Select).value,
            "category": self.query_one("#category", Select).value,
            "subcategory": "" if sub is Select.NULL else sub,
            "reporter_id": self.reporter_id,
            "reporter_name": name if self.reporter_id is None else "",
            "place": self.query_one("#place", Input).value,
            "description": self.query_one("#description", Input).value,
            "colour": self.query_one("#colour", Select).value,
            "level": self.query_one("#level", Select).value,
        }

    def action_save(self) -> None:
        values, community = self.values(), self.community_id
        actor = getattr(self.app, "operator_name", "") or ""
        busy.save(self, lambda: cases.intake(values, community, actor=actor),
                  self._saved, self._refused)  # waits for a running import (issue 18)

    def _refused(self, exc: Exception) -> bool:
        if not isinstance(exc, cases.CaseRefused):
            return False
        self.query_one("#intake-error", Static).update(str(exc))
        return True

    def _saved(self, new: cases.NewCase) -> None:
        self.app.notify(t("intake.saved", number=new.number,
                          due=f"{new.due_resolution:%m-%d %H:%M}"), timeout=8)
        self.dismiss(new)

    def action_cancel(self) -> None:
        self.dismiss(None)


def open_intake(app: Any) -> None:
    """Push the intake form over whatever is on screen; refresh the cases list after."""

    def done(new: cases.NewCase | None) -> None:
        screen = app.screen
        if new is not None and hasattr(screen, "case_saved"):
            screen.case_saved(new.id)

    if isinstance(app.screen, IntakeScreen):
        return
    app.push_screen(IntakeScreen(app.community_id), done)
