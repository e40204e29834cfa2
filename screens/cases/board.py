"""Cases screen 诉求案件: open cases, red first, then by time left; filters; one key per action."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from app import keymap
from app.i18n import t
from app.services.cases import views as case_views
from app.services.cases.views import CaseFilter
from app.services.station.freshness import data_version
from screens.base import MulinScreen
from screens.cases.actions import (
    ACTION_IDS,
    FORM_CSS,
    CaseActions,
    field_input,
    field_select,
    widen,
)
from screens.cases.wording import age_text, time_left_text
from screens.widgets.virtual_table import Column, FuncSource, Row, VirtualTable


def case_row(c: case_views.CaseRow) -> Row:
    return Row(c.id, [Text(t(f"colour_short.{c.colour}")), c.number, t(f"level.{c.level}"),
                      c.grid, t(f"category.{c.category}"), age_text(c.age_hours()),
                      time_left_text(c.time_left()), t(f"state_short.{c.state}"),
                      c.mediation or c.handler or "—"],  # waiting on mediation: its number
               style=c.colour if c.is_open else "dim")


COLUMNS = [("colour", 2), ("number", 15), ("level", 4), ("grid", 8), ("category", 8),
           ("age", 5), ("time_left", 10), ("state", 6), ("handler", 0)]


def filter_text(f: CaseFilter, grids: dict[str, str]) -> str:
    """The active filters in words (empty when none)."""
    parts = []
    if f.scope != "open":
        parts.append(t(f"filter.scope.{f.scope}"))
    for name, prefix in (("level", "level"), ("colour", "colour"), ("category", "category")):
        value = getattr(f, name)
        if value:
            parts.append(t(f"{prefix}.{value}"))
    if f.grid_id:
        parts.append(grids.get(f.grid_id, ""))
    if f.handler:
        parts.append(f.handler)
    if f.overdue:
        parts.append(t("filter.overdue"))
    if f.text:
        parts.append(f"“{f.text}”")
    return " · ".join(parts)


class FilterForm(ModalScreen[CaseFilter | None]):
    """Narrow the list: scope, level, colour, grid, category, handler, overdue."""

    DEFAULT_CSS = FORM_CSS
    BINDINGS = [Binding("ctrl+s", "save", t("intake.save"), priority=True),
                Binding("escape", "cancel", t("intake.cancel"))]

    def __init__(self, current: CaseFilter, grids: list[tuple[str, str]],
                 handlers: list[str], on_text: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.current, self.grids, self.handlers = current, grids, handlers
        self.on_text = on_text

    def _row(self, name: str, options: list[tuple[str, str]], value: str,
             blank: bool = True) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield Label(t(f"filter.{name}"), classes="form-label")
            yield field_select(options, value=value or Select.NULL, allow_blank=blank,
                         prompt=t("filter.any"), id=f"f-{name}")

    def compose(self) -> ComposeResult:
        f = self.current
        with VerticalScroll(classes="dialog case-form"):
            yield Static(f"[b]{t('filter.title')}[/b]  {t('intake.hint')}")
            with Horizontal(classes="form-row"):
                yield Label(t("filter.text"), classes="form-label")
                yield field_input(value=f.text, placeholder=t("cases.search_hint"),
                                  id="f-text")
            yield from self._row("scope", [(t(f"filter.scope.{s}"), s)
                                           for s in ("open", "all", "finished")], f.scope, False)
            yield from self._row("level", [(t(f"level.{v}"), v)
                                           for v in ("grid", "community", "street", "district")],
                                 f.level)
            yield from self._row("colour", [(t(f"colour.{v}"), v)
                                            for v in ("red", "yellow", "green")], f.colour)
            yield from self._row("grid", [(name, gid) for gid, name in self.grids], f.grid_id)
            yield from self._row("category", [(t(f"category.{v}"), v)
                                              for v in ("110", "114", "119", "120", "122")],
                                 f.category)
            yield from self._row("handler", [(h, h) for h in self.handlers], f.handler)
            yield from self._row("overdue", [(t("filter.overdue"), "yes")],
                                 "yes" if f.overdue else "")

    def on_mount(self) -> None:
        widen(self)
        self.query_one("#f-text", Input).focus()

    @on(Input.Changed, "#f-text")
    def _typed(self, event: Input.Changed) -> None:
        """The list behind narrows as you type."""
        if self.on_text is not None:
            self.on_text(event.value.strip())

    @on(Input.Submitted, "#f-text")
    def _submitted(self) -> None:
        self.action_save()

    def _value(self, name: str) -> str:
        v = self.query_one(f"#f-{name}", Select).value
        return "" if v is Select.NULL else str(v)

    def action_save(self) -> None:
        self.dismiss(replace(self.current, text=self.query_one("#f-text", Input).value.strip(),
                             scope=self._value("scope") or "open",
                             level=self._value("level"), colour=self._value("colour"),
                             grid_id=self._value("grid"), category=self._value("category"),
                             handler=self._value("handler"),
                             overdue=self._value("overdue") == "yes"))

    def action_cancel(self) -> None:
        if self.on_text is not None:
            self.on_text(self.current.text)
        self.dismiss(None)


@keymap.bound
class CasesScreen(CaseActions, MulinScreen):
    """Open cases grouped by colour, red first, then by time left."""

    NAME = "cases"
    KEYS = ("nav.open", "nav.filter", "nav.search", "nav.back", *ACTION_IDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filter = CaseFilter()

    def compose_body(self) -> ComposeResult:
        yield Static(id="cases-summary", classes="section-title")
        yield Input(placeholder=t("cases.search_hint"), id="cases-search")
        yield VirtualTable([Column(t(f"cases.{name}"), width) for name, width in COLUMNS],
                           id="cases")

    def on_mount(self) -> None:
        self._epoch = getattr(self.app, "operator_epoch", 0)
        self.query_one("#cases-search", Input).display = False
        self.reload()
        self.query_one("#cases", VirtualTable).focus()
        self._select_new()

    def on_screen_resume(self) -> None:
        switched = self._epoch != getattr(self.app, "operator_epoch", 0)
        if switched:
            self._clear_filters()  # another operator signed in: start from the whole list
        if self.stale() or switched:
            self.reload(keep_cursor=True)
        self._select_new()

    def _clear_filters(self) -> None:
        self._epoch = getattr(self.app, "operator_epoch", 0)
        self.filter = CaseFilter()
        box = self.query_one("#cases-search", Input)
        with box.prevent(Input.Changed):
            box.value = ""
        box.display = False

    def _select_new(self) -> None:
        """A case just taken at intake (F9 elsewhere) is selected when the list shows."""
        case_id = getattr(self.app, "selected_case", None)
        if case_id:
            self.case_saved(case_id)

    @property
    def table(self) -> VirtualTable:
        return self.query_one("#cases", VirtualTable)

    def reload(self, keep_cursor: bool = True) -> None:
        """Re-read the list; the cursor stays on the same case wherever it moved."""
        community, f = self.community_id, self.filter
        self.table.set_source(FuncSource(
            lambda: case_views.count(community, f),
            lambda o, n: [case_row(c) for c in case_views.page(community, f, o, n)]),
            keep_cursor=keep_cursor)
        self._summary()

    def _summary(self) -> None:
        community = self.community_id
        shown = self.table.row_count
        red, late = self._totals(community)
        words = filter_text(self.filter, case_views.grid_names(community))
        text = t("cases.summary", n=shown, red=red, late=late)
        if words:
            text += "  " + t("cases.filtered", what=words)
        year = case_views.unknown_calendar_year()
        if year:
            text += " " + t("cases.calendar_unknown", year=year)
        summary = self.query_one("#cases-summary", Static)
        if text != getattr(self, "_summary_text", None):
            self._summary_text = text
            # one line high (.section-title): a new text needs no layout of the screen,
            # which would redraw every widget on each filter keystroke (issue 16)
            summary.update(text, layout=False)

    def _totals(self, community: str) -> tuple[int, int]:
        """Red and late cases of the whole list: read again only when the data (or the
        minute) changed, not on every key typed into the filter (issue 16)."""
        version = (community, data_version())
        if getattr(self, "_totals_of", None) != version:
            self._totals_of = version
            self._totals_seen = (case_views.count(community, CaseFilter(colour="red")),
                                 case_views.count(community, CaseFilter(overdue=True)))
        return self._totals_seen

    # CaseActions -------------------------------------------------------------
    def current_case_id(self) -> str | None:
        row = self.table.current_row
        return row.key if row else None

    def case_changed(self, case_id: str) -> None:
        self.reload(keep_cursor=True)

    def current_record(self) -> tuple[str, str] | None:
        """Ctrl+Y: the highlighted case's history."""
        case_id = self.current_case_id()
        return ("case", case_id) if case_id else None

    def case_saved(self, case_id: str) -> None:
        """A new case from the intake form: show it (the filters step aside if they hide it)."""
        self.app.selected_case = None
        self.reload(keep_cursor=True)
        if not self.table.move_to_key(case_id) and not self.filter.is_default():
            self._clear_filters()
            self.reload()
            self.table.move_to_key(case_id)

    # keys ------------------------------------------------------------------------
    def action_open(self) -> None:
        case_id = self.current_case_id()
        if case_id:
            from screens.cases.detail import CaseDetailScreen

            self.app.push_screen(CaseDetailScreen(case_id))

    @on(VirtualTable.Chosen, "#cases")
    def _chosen(self) -> None:
        self.action_open()

    def action_filter(self) -> None:
        community = self.community_id

        saved = self.filter

        def typed(text: str) -> None:
            self.filter = replace(saved, text=text)
            self.reload()

        def done(f: CaseFilter | None) -> None:
            self.filter = saved if f is None else f
            box = self.query_one("#cases-search", Input)
            with box.prevent(Input.Changed):
                box.value = self.filter.text
            box.display = bool(self.filter.text)
            self.reload()

        self.app.push_screen(FilterForm(self.filter, case_views.grid_choices(community),
                                        case_views.handler_choices(community), typed), done)

    def action_search(self) -> None:
        box = self.query_one("#cases-search", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#cases-search")
    def _search(self, event: Input.Changed) -> None:
        self.filter = replace(self.filter, text=event.value.strip())
        self.reload()

    @on(Input.Submitted, "#cases-search")
    def _search_done(self) -> None:
        self.table.focus()

    def action_back(self) -> None:
        """Esc: leave the search box, then clear the filters."""
        box = self.query_one("#cases-search", Input)
        if box.has_focus:
            self.table.focus()
            if not box.value:
                box.display = False
            return
        if not self.filter.is_default():
            self.filter = CaseFilter()
            with box.prevent(Input.Changed):
                box.value = ""
            box.display = False
            self.reload()
