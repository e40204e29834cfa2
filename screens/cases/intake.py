"""Intake 受理: a call becomes a dispatched case in one form (F9 from any screen).

Reporter first: typed as on Ctrl+F (name, pinyin, initials, phone tail, ``12-3-402``),
Enter picks, and the reporter's phone and full door fill in. The category is typed too
(``停电``, ``tingdian``, ``td``, ``110``). Filling 派单给 responds and dispatches in the same
save. After saving, the cases list (F4) opens with the new case selected.
"""

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
from app.services.search import typeahead
from app.services.search.residents import ResidentChoice
from screens import busy
from screens.cases.actions import FORM_CSS, field_input, field_select, widen
from screens.widgets.resident_hits import ResidentHits

#: form field (service name) -> the widget to focus when the save is refused for it
FOCUS_FOR = {"reporter_id": "#reporter", "reporter_name": "#reporter",
             "reporter_phone": "#phone", "place": "#place", "category": "#category",
             "subcategory": "#category", "description": "#description",
             "dispatch_to": "#dispatch", "colour": "#colour", "level": "#level",
             "channel": "#channel"}


def _options(prefix: str, values: tuple[str, ...] | list[str]) -> list[tuple[str, str]]:
    return [(t(f"{prefix}.{v}"), v) for v in values]


def category_choices() -> list[tuple[str, str, str]]:
    """(category, subcategory, label) for every category and each of its subcategories."""
    out = []
    subs = cases.subcategories()
    for c in cases.CATEGORIES:
        out.append((c, "", f"{c} {t(f'category.{c}')}"))
        out += [(c, s, f"{c} {t(f'category.{c}')} · {cases.subcategory_label(s)}")
                for s in subs.get(c, [])]
    return out


class IntakeScreen(ModalScreen[cases.NewCase | None]):
    """The intake form. Ctrl+S saves, Esc cancels; reporter, category and handler are typed."""

    DEFAULT_CSS = FORM_CSS
    BINDINGS = [Binding("ctrl+s", "save", t("intake.save"), priority=True),
                Binding("escape", "cancel", t("intake.cancel"))]

    def __init__(self, community_id: str) -> None:
        super().__init__()
        self.community_id = community_id
        self.reporter: ResidentChoice | None = None
        self.category, self.subcategory = "", ""
        self.cat_hits: list[tuple[str, str, str]] = []
        self.targets = case_views.dispatch_targets(community_id)
        self.target_hits: list[case_views.Target] = []
        self.target_kind = "person"
        self._colour_touched = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog case-form"):
            yield Static(f"[b]{t('intake.title')}[/b]  {t('intake.hint')}")
            yield from self._row("reporter", field_input(placeholder=t("intake.reporter_hint"),
                                                         id="reporter"))
            yield ResidentHits(id="reporter-hits")
            yield from self._row("reporter_phone", field_input(id="phone"))
            yield from self._row("place", field_input(placeholder=t("intake.place_hint"),
                                                      id="place"))
            yield from self._row("category", field_input(placeholder=t("intake.category_hint"),
                                                         id="category"))
            yield OptionList(id="category-hits", classes="hits")
            yield from self._row("description", field_input(id="description"))
            yield from self._row("dispatch_to", field_input(
                placeholder=t("intake.dispatch_hint"), id="dispatch"))
            yield OptionList(id="dispatch-hits", classes="hits")
            yield from self._row("colour", field_select(_options("colour", cases.COLOURS),
                                                        value="yellow", allow_blank=False,
                                                        id="colour"))
            yield from self._row("level", field_select(_options("level", cases.LEVELS),
                                                       value="grid", allow_blank=False,
                                                       id="level"))
            yield from self._row("channel", field_select(_options("channel", cases.CHANNELS),
                                                         value="phone", allow_blank=False,
                                                         id="channel"))
            yield Static("", id="intake-error", classes="form-error")

    def _row(self, name: str, widget: Any) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield Label(t(f"intake.{name}"), classes="form-label")
            yield widget

    def on_mount(self) -> None:
        widen(self)
        for box in self.query("OptionList.hits"):  # not the dropdowns' own lists
            box.display = False
        self.query_one("#reporter", Input).focus()
        self.run_worker(typeahead.warm, thread=True, group="warm")  # no pause on first key

    def _list(self, list_id: str, labels: list[str]) -> OptionList:
        box = self.query_one(list_id, OptionList)
        box.clear_options()
        box.add_options([Option(label, id=str(i)) for i, label in enumerate(labels)])
        box.display = bool(labels)
        if labels:
            box.highlighted = 0
        return box

    # reporter ----------------------------------------------------------------------
    @on(Input.Changed, "#reporter")
    def _find(self, event: Input.Changed) -> None:
        self.query_one("#reporter-hits", ResidentHits).find(event.value)
        self.reporter = None

    @on(Input.Submitted, "#reporter")
    def _reporter_enter(self) -> None:
        """One hit: take it. Several: go down the list to choose. None: go on."""
        if not self.query_one("#reporter-hits", ResidentHits).submit():
            self.query_one("#phone", Input).focus()

    @on(ResidentHits.Picked, "#reporter-hits")
    def _pick_reporter(self, event: ResidentHits.Picked) -> None:
        self._take_reporter(event.choice)

    def _take_reporter(self, hit: ResidentChoice) -> None:
        self.reporter = hit
        for widget_id, value in (("#reporter", hit.name), ("#phone", hit.phone),
                                 ("#place", hit.door)):
            box = self.query_one(widget_id, Input)
            with box.prevent(Input.Changed):
                box.value = value
        self.query_one("#category", Input).focus()

    # category ----------------------------------------------------------------------
    @on(Input.Changed, "#category")
    def _narrow_category(self, event: Input.Changed) -> None:
        text = event.value.strip()
        choices = category_choices()
        self.cat_hits = typeahead.narrow(text, choices, lambda c: c[2],
                                         lambda c: (c[0], c[1]))[:8] if text else []
        self._list("#category-hits", [c[2] for c in self.cat_hits])
        if self.category and event.value != self._category_label():
            self.category = self.subcategory = ""

    @on(Input.Submitted, "#category")
    def _category_enter(self) -> None:
        box = self.query_one("#category-hits", OptionList)
        if self.cat_hits:
            self._take_category(self.cat_hits[box.highlighted or 0])
        elif self.category:
            self.query_one("#description", Input).focus()

    @on(OptionList.OptionSelected, "#category-hits")
    def _pick_category(self, event: OptionList.OptionSelected) -> None:
        self._take_category(self.cat_hits[int(event.option.id or 0)])

    def _take_category(self, choice: tuple[str, str, str]) -> None:
        self.category, self.subcategory = choice[0], choice[1]
        box = self.query_one("#category", Input)
        with box.prevent(Input.Changed):
            box.value = choice[2]
        self.cat_hits = []
        self.query_one("#category-hits", OptionList).display = False
        if not self._colour_touched:
            self.query_one("#colour", Select).value = cases.suggest_colour(self.category,
                                                                           self.subcategory)
        self.query_one("#description", Input).focus()

    def _category_label(self) -> str:
        found = [c for c in category_choices() if c[:2] == (self.category, self.subcategory)]
        return found[0][2] if found else ""

    @on(Select.Changed, "#colour")
    def _colour(self, event: Select.Changed) -> None:
        if event.value != cases.suggest_colour(self.category or "110", self.subcategory):
            self._colour_touched = True  # the desk chose it: a category no longer changes it

    @on(Input.Submitted, "#description")
    def _description_enter(self) -> None:
        self.query_one("#dispatch", Input).focus()

    # dispatch ----------------------------------------------------------------------
    @on(Input.Changed, "#dispatch")
    def _narrow_targets(self, event: Input.Changed) -> None:
        text = event.value.strip()
        self.target_hits = typeahead.narrow(text, self.targets, lambda x: x.name,
                                            lambda x: (x.detail,))[:8] if text else []
        self._list("#dispatch-hits", [f"{x.name}  [{t(f'target.{x.kind}')}] {x.detail}"
                                      for x in self.target_hits])
        self.target_kind = "person"

    @on(Input.Submitted, "#dispatch")
    def _dispatch_enter(self) -> None:
        if len(self.target_hits) == 1:
            self._take_target(self.target_hits[0])
        elif self.target_hits:
            self.query_one("#dispatch-hits", OptionList).focus()

    @on(OptionList.OptionSelected, "#dispatch-hits")
    def _pick_target(self, event: OptionList.OptionSelected) -> None:
        self._take_target(self.target_hits[int(event.option.id or 0)])

    def _take_target(self, target: case_views.Target) -> None:
        box = self.query_one("#dispatch", Input)
        with box.prevent(Input.Changed):
            box.value = target.name
        self.target_kind = target.kind
        self.target_hits = []
        self.query_one("#dispatch-hits", OptionList).display = False
        box.focus()

    # save --------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        phone = self.query_one("#phone", Input).value
        reporter = self.reporter
        return {
            "channel": self.query_one("#channel", Select).value,
            "category": self.category or None,
            "subcategory": self.subcategory,
            "reporter_id": reporter.id if reporter else None,
            "reporter_name": "" if reporter else self.query_one("#reporter", Input).value,
            "reporter_phone": "" if reporter and phone == reporter.phone else phone,
            "place": self.query_one("#place", Input).value,
            "description": self.query_one("#description", Input).value,
            "colour": self.query_one("#colour", Select).value,
            "level": self.query_one("#level", Select).value,
            "dispatch_to": self.query_one("#dispatch", Input).value,
            "dispatch_kind": self.target_kind,
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
        self.query_one(FOCUS_FOR.get(exc.field, "#description")).focus()
        return True

    def _saved(self, new: cases.NewCase) -> None:
        self.app.notify(t("intake.saved", number=new.number,
                          due=f"{new.due_resolution:%m-%d %H:%M}"), timeout=8)
        self.dismiss(new)

    def action_cancel(self) -> None:
        self.dismiss(None)


def open_intake(app: Any) -> None:
    """Push the intake form over whatever is on screen; then show the new case in F4."""

    def done(new: cases.NewCase | None) -> None:
        if new is None:
            return
        app.selected_case = new.id  # the cases list selects it when it shows
        if app.current_mode != "cases":
            app.switch_mode("cases")
        elif hasattr(app.screen, "case_saved"):
            app.screen.case_saved(new.id)

    if isinstance(app.screen, IntakeScreen):
        return
    app.push_screen(IntakeScreen(app.community_id), done)
