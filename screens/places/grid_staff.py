"""Grid staff form (网格人员): the selected grid's 网格长 and 网格员, from the map (F2, ``s``).

Admin only: for other roles the map says why instead of opening the form. Ctrl+S or Enter
saves through :mod:`app.services.places.staffing`; a refusal keeps the form open with the
reason next to the field and what was typed. Dismisses with the grid id, or None.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Footer, Input, Static

from app.i18n import t
from app.services.places import staffing
from app.services.trust import operators, permissions
from screens import busy
from screens.places.resident_form import FormScreen

FIELDS = ("grid_chief", "grid_workers")


def refusal() -> str | None:
    """Why the operator on duty may not assign grid staff (None: they may)."""
    role = operators.current_role()
    return None if permissions.may(role, "grid.staff") else \
        str(permissions.Refused("grid.staff", role))


class GridStaffScreen(FormScreen):
    """Who is the grid's chief, who are its workers."""

    def __init__(self, grid_id: str) -> None:
        super().__init__()
        self.grid_id = grid_id
        self.initial = staffing.grid_staff(grid_id)

    def compose(self) -> ComposeResult:
        s = self.initial
        with Vertical(classes="form"):
            yield Static(t("form.grid_staff_title", grid=s.grid_name), classes="form-title")
            yield from self.row("grid_chief", Input(s.chief, id="f-grid_chief", compact=True))
            yield from self.row("grid_workers", Input(
                "、".join(s.workers), id="f-grid_workers", compact=True,
                placeholder=t("form.grid_workers_hint")))
            yield Static("", id="err-general", classes="field-error -empty")
            yield Static(t("form.hint"), classes="form-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#f-grid_chief", Input).focus()

    def action_save(self) -> None:
        grid_id, chief, workers = self.grid_id, self.value("grid_chief"), \
            self.value("grid_workers")

        def saved(staff: staffing.GridStaff) -> None:
            self.notify(t("map.staff_saved", grid=staff.grid_name))
            self.dismiss(grid_id)

        def refused(exc: Exception) -> bool:
            if isinstance(exc, staffing.StaffError):
                self.show_errors(exc.errors, FIELDS)
            elif isinstance(exc, permissions.Refused):
                general = self.query_one("#err-general", Static)
                general.update(str(exc))
                general.remove_class("-empty")
            else:
                return False
            self.notify(t("form.refused"), severity="error")
            return True

        busy.save(self, lambda: staffing.assign(grid_id, chief, workers), saved, refused)
