"""Key-care round screen (重点关怀): who is due a visit, overdue first.

``g`` cycles the grid filter, ``t`` the care type, ``v`` logs a visit to the highlighted
resident, Enter opens their building's ledger, ``r`` chooses or starts a holiday round
(a named round whose checklist ticks who has been seen), ``u`` shows only those not yet
seen in the round.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from app import keymap
from app.i18n import t
from app.services.places import care
from app.services.places import views as places
from screens.base import MulinScreen
from screens.places.ledger import care_kinds, care_status
from screens.places.visit_form import VisitFormScreen
from screens.widgets.prompt import SavingPrompt
from screens.widgets.virtual_table import Column, ListSource, Row, VirtualTable

keymap.KEYS.setdefault("care.open", keymap.KeyDef("enter", "open", priority=True))
keymap.define("care.visit", "v", "visit")
keymap.define("care.grid", "g", "grid(1)")
keymap.define("care.grid_prev", "G", "grid(-1)", show=False)
keymap.define("care.all", "a", "all")  # back to 全部 in one key
keymap.define("care.kind", "t", "kind")
keymap.define("care.round", "r", "round")
keymap.define("care.unseen", "u", "unseen")
keymap.define("care.cadence", "s", "cadence")


@keymap.bound
class CareScreen(MulinScreen):
    """The community-wide key-care list."""

    NAME = "care"
    KEYS = ("care.visit", "care.open", "care.grid", "care.grid_prev", "care.all", "care.kind",
            "care.round", "care.unseen", "care.cadence")

    def __init__(self) -> None:
        super().__init__()
        self.grid_ids: list[str | None] = [None]
        self.grid_names: dict[str, str] = {}
        self.grid_index = 0
        self.kind_index = 0
        self.round_id: str | None = None
        self.only_unseen = False
        self.rows: list[care.CareRow] = []

    def help_text(self) -> str:
        return t("care.help")

    def compose_body(self) -> ComposeResult:
        yield Static(id="care-summary", classes="section-title")
        yield VirtualTable(self._columns(), id="care-table")

    def _columns(self) -> list[Column]:
        cols = [Column(t("care.col.status"), 11), Column(t("care.col.name"), 8),
                Column(t("care.col.age"), 3), Column(t("care.col.kind"), 10),
                Column(t("care.col.grid"), 9), Column(t("care.col.place"), 10),
                Column(t("care.col.last"), 11), Column(t("care.col.services"), 0)]
        if self.round_id:
            cols.insert(0, Column(t("care.col.seen"), 2))
        return cols

    def on_mount(self) -> None:
        grids = places.grids(self.community_id) if self.community_id else []
        self.grid_ids = [None, *(g.id for g in grids)]
        self.grid_names = {g.id: g.name for g in grids}
        self._epoch = getattr(self.app, "operator_epoch", 0)
        self.reload(keep_cursor=False)
        self.query_one(VirtualTable).focus()

    def on_screen_resume(self) -> None:
        switched = self._epoch != getattr(self.app, "operator_epoch", 0)
        if switched:  # another operator: start from the whole list
            self._epoch = getattr(self.app, "operator_epoch", 0)
            self.grid_index = self.kind_index = 0
            self.only_unseen = False
        if self.community_id and (self.stale() or switched):
            self.reload()

    @property
    def kind(self) -> str | None:
        return (None, *care.KINDS)[self.kind_index]

    def reload(self, keep_cursor: bool = True) -> None:
        grid = self.grid_ids[self.grid_index]
        rows = care.care_rows(self.community_id, grid_id=grid, kind=self.kind,
                              round_id=self.round_id)
        if self.round_id and self.only_unseen:
            rows = [r for r in rows if not r.seen_in_round]
        self.rows = rows
        table = self.query_one(VirtualTable)
        table.columns = self._columns()
        table.set_source(ListSource([self._row(r) for r in rows]), keep_cursor=keep_cursor)
        self.query_one("#care-summary", Static).update(self._summary())
        self.refresh_header()

    def _row(self, r: care.CareRow) -> Row:
        last = f"{r.last_visit:%y-%m-%d}" if r.last_visit else "—"
        cells: list[str | Text] = [care_status(r), r.name, str(r.age or ""), care_kinds(r),
                                   r.grid, r.place, last,
                                   t("care.services_sep").join(
                                       t(f"care.service.{s}") for s in r.services.split(",")
                                       if s)]
        if self.round_id:
            cells.insert(0, Text("✓", style="green") if r.seen_in_round else "·")
        return Row(r.resident_id, cells, style="red" if r.overdue else "")

    def _summary(self) -> str:
        grid = self.grid_ids[self.grid_index]
        overdue = sum(1 for r in self.rows if r.overdue)
        text = t("care.summary", n=len(self.rows), overdue=overdue,
                 grid=self.grid_names.get(grid, t("care.all")) if grid else t("care.all"),
                 kind=t(f"care.kind.{self.kind}") if self.kind else t("care.all"))
        if self.round_id:
            p = care.round_progress(self.community_id, self.round_id)
            text += t("care.round_line", name=p.name, seen=p.seen, total=p.total)
        return text

    def current(self) -> care.CareRow | None:
        row = self.query_one(VirtualTable).current_row
        return next((r for r in self.rows if row and r.resident_id == row.key), None)

    def current_record(self) -> tuple[str, str] | None:
        """Ctrl+Y: the highlighted resident's history."""
        r = self.current()
        return ("resident", r.resident_id) if r else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "unseen" and not self.round_id:
            return False
        return True

    # actions -------------------------------------------------------------------
    def action_visit(self) -> None:
        r = self.current()
        if r is None:
            return
        kind = "holiday" if self.round_id else "care"
        self.app.push_screen(
            VisitFormScreen(r.building_id, r.household_id, r.resident_id, r.name, kind,
                            self.round_id),
            lambda saved: self.reload() if saved else None)

    def action_open(self) -> None:
        r = self.current()
        if r is not None:
            self.mulin.open_building(r.building_id, r.household_id)

    def action_grid(self, step: int = 1) -> None:
        """``g`` the next grid, ``G`` the previous (全部 sits between the last and the first)."""
        self.grid_index = (self.grid_index + step) % len(self.grid_ids)
        self.reload(keep_cursor=False)

    def action_all(self) -> None:
        """``a``: every grid and every kind again (全部)."""
        self.grid_index = self.kind_index = 0
        self.only_unseen = False
        self.reload(keep_cursor=False)

    def action_kind(self) -> None:
        self.kind_index = (self.kind_index + 1) % (len(care.KINDS) + 1)
        self.reload(keep_cursor=False)

    def action_unseen(self) -> None:
        if self.round_id:
            self.only_unseen = not self.only_unseen
            self.reload(keep_cursor=False)

    def action_cadence(self) -> None:
        from app.services.trust import operators, permissions

        role = operators.current_role()
        if not permissions.may(role, "settings.manage"):  # the screen asks; the service checks
            self.notify(str(permissions.Refused("settings.manage", role)), severity="error")
            return
        days = care.cadence()
        current = " ".join(str(days[k]) for k in care.KINDS)
        kinds = " ".join(t(f"care.kind.{k}") for k in care.KINDS)

        def save(text: str) -> str:  # refused: the prompt stays open with the reason
            care.set_cadence(care.parse_cadence(text))
            return text

        def saved(text: str | None) -> None:
            if text is not None:
                self.notify(t("care.cadence_saved"))
                self.reload()

        self.app.push_screen(SavingPrompt(t("care.cadence_prompt", kinds=kinds), current,
                                          save, self._reason), saved)

    @staticmethod
    def _reason(exc: Exception) -> str | None:
        """A refusal in words (the prompt shows it under what was typed)."""
        from app.services.trust import permissions

        if isinstance(exc, care.CareError):
            return t(f"places.err.{exc.code}")
        return str(exc) if isinstance(exc, permissions.Refused) else None

    def action_round(self) -> None:
        rounds = care.rounds(self.community_id)
        listing = "、".join(r.name for r in rounds[:6]) or "—"

        def save(text: str) -> str:
            """An existing round by name, a new one (waits for an import), or "" for none."""
            found = next((r for r in rounds if r.name == text), None)
            if found or not text:
                return found.id if found else ""
            return care.create_round(self.community_id, text)

        def done(round_id: str | None) -> None:
            if round_id is not None:
                show(round_id or None)

        def show(round_id: str | None) -> None:
            self.round_id = round_id
            self.only_unseen = False
            self.reload(keep_cursor=False)
            self.refresh_bindings()

        self.app.push_screen(SavingPrompt(t("care.round_prompt", rounds=listing), "", save,
                                          self._reason), done)
