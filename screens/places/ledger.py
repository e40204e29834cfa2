"""Building ledger screen (一楼栋一账本): one building's book, section by section.

Sections (keys 1-7, or ] / [): households, residents, key-care, visits, opinions, the
livelihood list 民生清单 and the cases and mediations touching the building. Every list
is a VirtualTable fed page by page from the services. Opinions and items are added and
edited here through the civic screens (:mod:`screens.civic.reach`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from app import keymap, labels
from app.i18n import t
from app.services.places import care, ledger, residents, visits
from app.services.places import views as places
from screens.base import MulinScreen
from screens.civic import reach as civic_reach
from screens.dialogs import ConfirmDialog
from screens.places.resident_form import ResidentFormScreen
from screens.places.visit_form import VisitFormScreen
from screens.widgets.prompt import PromptDialog
from screens.widgets.virtual_table import Column, FuncSource, ListSource, Row, VirtualTable

for _i, _section in enumerate(ledger.SECTIONS, start=1):
    keymap.define(f"ledger.s{_i}", str(_i), f"section('{_section}')", show=False)
keymap.KEYS.setdefault("ledger.open", keymap.KeyDef("enter", "open", priority=True))
keymap.define("ledger.next", "right_square_bracket", "step(1)")
keymap.define("ledger.prev", "left_square_bracket", "step(-1)", show=False)
keymap.define("ledger.move_out", "o", "move_out")
keymap.define("ledger.move_within", "m", "move_within")
keymap.define("ledger.visit", "v", "visit")
keymap.define("ledger.opinion", "i", "opinion")
keymap.define("ledger.group", "g", "group")

#: Which actions make sense in which section (others are hidden from the footer).
SECTION_ACTIONS: dict[str, set[str]] = {
    "new": {"households", "residents", "opinions", "livelihood"},
    "edit": {"residents", "opinions", "livelihood"},
    "move_out": {"residents"},
    "move_within": {"residents"},
    "visit": {"households", "residents", "care", "visits"},
    "opinion": {"households", "residents", "opinions"},
    "group": {"opinions"},
    "open": {"households", "residents", "care", "livelihood"},
}


def _columns(section: str) -> list[Column]:
    spec: dict[str, list[tuple[str, int]]] = {
        "households": [("unit", 4), ("room", 6), ("head", 10), ("members", 3), ("phone", 13),
                       ("tags", 0)],
        "residents": [("place", 8), ("name", 10), ("gender", 3), ("age", 4), ("relation", 6),
                      ("id", 20), ("phone", 0)],
        "care": [("status", 12), ("name", 10), ("place", 10), ("kind", 12), ("last", 0)],
        "visits": [("when", 14), ("place", 8), ("who", 8), ("visitor", 8), ("findings", 0)],
        "opinions": [("date", 10), ("source", 8), ("place", 8), ("content", 0)],
        "livelihood": [("rank", 4), ("title", 14), ("urgency", 5), ("importance", 5),
                       ("status", 8), ("households", 3), ("opinions", 4), ("scope", 0)],
        "cases": [("kind", 4), ("number", 16), ("when", 10), ("state", 6), ("title", 0)],
    }
    return [Column(t(f"ledger.col.{name}"), width) for name, width in spec[section]]


def care_status(row: care.CareRow) -> Text:
    days = row.days_overdue
    if days > 0:
        return Text(t("care.overdue", d=days), style="bold red")
    if days == 0:
        return Text(t("care.due_today"), style="yellow")
    return Text(t("care.due_in", d=-days))


def care_kinds(row: care.CareRow) -> str:
    return "、".join(t(f"care.kind.{k}") for k in row.kinds)


#: The table of the records each section lists (Ctrl+Y opens their history).
RECORD_TABLES = {"households": "household", "residents": "resident", "care": "resident",
                 "visits": "visit", "opinions": "opinion", "livelihood": "livelihood_item"}


@keymap.bound
class LedgerScreen(MulinScreen):
    """The building header, the section tabs and one list."""

    NAME = "ledger"
    KEYS = ("ledger.s1", "ledger.s2", "ledger.s3", "ledger.s4", "ledger.s5", "ledger.s6",
            "ledger.s7", "ledger.open", "ledger.next", "ledger.prev", "nav.new", "nav.edit",
            "ledger.move_out", "ledger.move_within", "ledger.visit", "ledger.opinion",
            "ledger.group", "nav.back")

    def __init__(self) -> None:
        super().__init__()
        self.building_id: str | None = None
        self.section = "households"
        self.counts: dict[str, int] = {}
        self._care_rows: list[care.CareRow] = []

    def help_text(self) -> str:
        return t("ledger.help")

    def compose_body(self) -> ComposeResult:
        yield Static(id="ledger-header", classes="panel-header")
        yield Static(id="ledger-tabs", classes="section-title")
        yield VirtualTable(_columns("households"), id="ledger-table")

    def on_mount(self) -> None:
        building = self.mulin.selected_building
        if not ledger.building_exists(building):
            first = places.buildings(self.community_id)
            building = first[0].id if first else None
        if building:
            self.show_building(building)
        self.query_one(VirtualTable).focus()

    def on_screen_resume(self) -> None:
        if self.building_id and self.stale():
            self.show_section(self.section, keep_cursor=True)

    # showing -------------------------------------------------------------------
    def show_building(self, building_id: str) -> None:
        self.building_id = building_id
        h = ledger.header(building_id)
        b = h.base
        self.query_one("#ledger-header", Static).update(t(
            "ledger.header_full", number=b.number, address=b.address, quarter=b.quarter or "—",
            units=b.units, floors=b.floors, year=b.year_built or "—",
            company=b.property_company or "—", grid=b.grid, chief=h.chief or "—",
            party=h.party_households))
        self.show_section(self.section)

    def tabs_text(self) -> Text:
        text = Text()
        for i, name in enumerate(ledger.SECTIONS, start=1):
            label = f"{i}{t(f'ledger.section.{name}')}({self.counts.get(name, 0)}) "
            text.append(label, style="reverse bold" if name == self.section else "")
        return text

    def show_section(self, section: str, keep_cursor: bool = False) -> None:
        if self.building_id is None:
            return
        self.section = section
        self.counts = ledger.section_counts(self.building_id, self.community_id)
        table = self.query_one(VirtualTable)
        table.columns = _columns(section)
        table.set_source(self._source(section, self.building_id), keep_cursor=keep_cursor)
        self.query_one("#ledger-tabs", Static).update(self.tabs_text())
        self.refresh_bindings()

    def _source(self, section: str, bid: str) -> Any:
        paged: dict[str, tuple[Callable[[], int], Callable[[int, int], list[Row]]]] = {
            "households": (lambda: places.count_households(bid), lambda o, n: [
                Row(x.id, [str(x.unit or ""), x.room, x.head, str(x.members), x.phone, x.tags])
                for x in places.households_page(bid, o, n)]),
            "residents": (lambda: residents.count_residents(bid), lambda o, n: [
                Row(x.id, [x.place, x.name, labels.field("resident", "gender", x.gender),
                           str(x.age) if x.age is not None else "",
                           labels.field("resident", "relation", x.relation), x.id_masked,
                           x.phone_masked]) for x in residents.residents_page(bid, o, n)]),
            "visits": (lambda: visits.count_visits(bid), lambda o, n: [
                Row(x.id, [f"{x.visited_at:%y-%m-%d %H:%M}", x.place, x.resident, x.visitor,
                           ("⚑ " if x.follow_up else "") + x.findings])
                for x in visits.visits_page(bid, o, n)]),
            "opinions": (lambda: ledger.count_opinions(bid), lambda o, n: [
                Row(x.id, [x.collected_on.isoformat(), t(f"civic.channel.{x.source}"),
                           x.place, x.content + (f" → {x.items}" if x.items else "")])
                for x in ledger.opinions_page(bid, o, n)]),
        }
        if section in paged:
            return FuncSource(*paged[section])
        return ListSource(self._list_rows(section, bid))

    def _list_rows(self, section: str, bid: str) -> list[Row]:
        if section == "care":
            self._care_rows = care.care_rows(self.community_id, building_id=bid)
            return [Row(r.resident_id, [care_status(r), r.name, r.place, care_kinds(r),
                                        f"{r.last_visit:%Y-%m-%d}" if r.last_visit else "—"],
                        style="red" if r.overdue else "")
                    for r in self._care_rows]
        if section == "livelihood":
            return [Row(x.id, [str(x.rank), x.title, "★" * x.urgency, "★" * x.importance,
                               t(f"civic.status.{x.status}"), str(x.households),
                               str(x.opinions),
                               t("ledger.scope.community") if x.whole_community
                               else t("ledger.scope.building")],
                        style="dim" if x.status in ("done", "rejected") else "")
                    for x in ledger.livelihood_rows(bid)]
        return [Row(x.id, [t(f"ledger.matter.{x.kind}"), x.number, f"{x.when:%Y-%m-%d}",
                           labels.field("case", "state", x.state) if x.kind == "case"
                           else t(f"mediation.status.{x.state}"), x.title], style=x.colour)
                for x in ledger.matters(bid)]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        allowed = SECTION_ACTIONS.get(action)
        if allowed is not None and self.section not in allowed:
            return False
        return True

    @property
    def row(self) -> Row | None:
        return self.query_one(VirtualTable).current_row

    def current_record(self) -> tuple[str, str] | None:
        """Ctrl+Y: the highlighted row's record, or the building when the list is empty."""
        row = self.row
        if row is None:
            return ("building", self.building_id) if self.building_id else None
        if self.section == "cases":
            is_case = row.cells[0] == t("ledger.matter.case")
            return ("case" if is_case else "mediation", row.key)
        return (RECORD_TABLES[self.section], row.key)

    # actions -------------------------------------------------------------------
    def action_section(self, section: str) -> None:
        self.show_section(section)

    def action_step(self, step: int) -> None:
        i = ledger.SECTIONS.index(self.section)
        self.show_section(ledger.SECTIONS[(i + step) % len(ledger.SECTIONS)])

    def _after_write(self, result: object) -> None:
        if result:
            self.show_section(self.section, keep_cursor=True)
            self.refresh_header()

    def _selected_place(self) -> str:
        row = self.row
        if row is None:
            return ""
        if self.section == "households":
            return residents.household_place(row.key)
        if self.section == "residents":
            return residents.household_place(residents.resident_household(row.key))
        return ""

    def action_open(self) -> None:
        """Enter: a household shows its residents; a resident opens the form; a key-care
        resident gets a visit."""
        row = self.row
        if row is None:
            return
        if self.section == "residents":
            self.action_edit()
        elif self.section == "livelihood":
            civic_reach.open_item(self, row.key)
        elif self.section == "care":
            self.action_visit()
        elif self.section == "households":
            place = residents.household_place(row.key)
            self.show_section("residents")
            table = self.query_one(VirtualTable)
            for i in range(table.row_count):
                found = table.row_at(i)
                if found is not None and found.cells[0] == place:
                    table.move_to_key(found.key)
                    break

    def action_new(self) -> None:
        if self.building_id is None:
            return
        if self.section in ("opinions", "livelihood"):
            civic_reach.new_record(self, self.section, self.building_id, self._after_write)
            return
        self.app.push_screen(ResidentFormScreen(self.building_id,
                                                place=self._selected_place()),
                             self._after_write)

    def action_edit(self) -> None:
        if self.building_id is None or self.row is None:
            return
        if self.section in ("opinions", "livelihood"):
            civic_reach.edit_record(self, self.section, self.building_id, self.row.key,
                                    self._after_write)
            return
        self.app.push_screen(ResidentFormScreen(self.building_id, self.row.key),
                             self._after_write)

    def action_opinion(self) -> None:
        """An opinion 居民意见 for the highlighted household (or resident)."""
        if self.building_id is None:
            return
        household = resident = None
        if self.row is not None and self.section == "households":
            household = self.row.key
        elif self.row is not None and self.section == "residents":
            resident, household = self.row.key, residents.resident_household(self.row.key)
        civic_reach.new_opinion(self, self.building_id, household, resident,
                                self._after_write)

    def action_group(self) -> None:
        if self.row is not None:
            civic_reach.group(self, self.row.key, self._after_write)

    def action_move_out(self) -> None:
        row = self.row
        if row is None:
            return

        def done(yes: bool | None) -> None:
            if yes:
                residents.move_out(row.key)
                self._after_write(True)

        self.app.push_screen(ConfirmDialog(t("ledger.move_out_question",
                                             name=row.cells[1])), done)

    def action_move_within(self) -> None:
        row = self.row
        if row is None:
            return

        def done(text: str | None) -> None:
            if not text:
                return
            number, _, place = text.replace("—", "-").partition("-")
            try:
                residents.move_within(row.key, number, place, self.community_id)
            except residents.ResidentFormError as exc:
                code = next(iter(exc.errors.values()))
                self.notify(t(f"places.err.{code}"), severity="error")
                return
            self.notify(t("ledger.moved", name=row.cells[1], to=text))
            self._after_write(True)

        self.app.push_screen(PromptDialog(t("ledger.move_prompt", name=row.cells[1])), done)

    def action_visit(self) -> None:
        if self.building_id is None:
            return
        row, household, resident, name, kind = self.row, None, None, "", "routine"
        if row is not None and self.section == "households":
            household = row.key
        elif row is not None and self.section == "residents":
            resident, name = row.key, str(row.cells[1])
            household = residents.resident_household(row.key)
        elif row is not None and self.section == "care":
            info = next((r for r in self._care_rows if r.resident_id == row.key), None)
            if info:
                resident, name, household, kind = (info.resident_id, info.name,
                                                   info.household_id, "care")
        self.app.push_screen(VisitFormScreen(self.building_id, household, resident, name,
                                             kind), self._after_write)

    def action_back(self) -> None:
        self.mulin.switch_mode("map")
