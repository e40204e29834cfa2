"""Who works a grid (网格人员): its grid chief 网格长 and its grid workers 网格员.

They are ``role`` rows (kind ``grid_chief`` / ``grid_worker``) of ``person`` rows, the same
rows the map's side panel and the visit form's default visitor read. Only an admin assigns
them (:data:`app.services.trust.permissions.DOES` ``grid.staff``); a refusal writes
nothing. One save is one stamped transaction: roles no longer named are tombstoned, new
names get a role (and a person when the community has nobody of that name). A grid worker
named here who is also a grid-worker operator gets this grid as their own grid
(:func:`app.services.trust.operators.set_grid`), so the phones and health notes of its
residents show to them in clear; one taken off the grid no longer has it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from app import store
from app.services.trust import operators
from app.services.trust.permissions import require
from models.people import Person, Role
from models.places import Grid

KINDS = ("grid_chief", "grid_worker")
#: What separates names typed in one field: 、 , ， ; ； and blanks.
_SEPARATORS = re.compile(r"[、,，;；\s]+")
NAME_MAX = 40


class StaffError(ValueError):
    """The assignment is refused; ``errors`` maps a field to its ``places.err`` code."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class GridStaff:
    """The grid's name, its chief ("" when none) and its workers, as the form shows them."""

    grid_id: str
    grid_name: str
    chief: str
    workers: tuple[str, ...]


def names(text: str) -> list[str]:
    """The names typed in one field, in order, each once (full-width forms folded)."""
    seen: list[str] = []
    for part in _SEPARATORS.split(unicodedata.normalize("NFKC", text)):
        if part and part not in seen:
            seen.append(part)
    return seen


def _roles(grid_id: str) -> list[Any]:
    return list(Role.select(Role, Person).join(Person)
                .where((Role.grid == grid_id) & Role.kind.in_(KINDS)
                       & (Role.deleted == False))  # noqa: E712
                .order_by(Role.kind, Person.name, Role.id))


def grid_staff(grid_id: str) -> GridStaff:
    grid = Grid.get_by_id(grid_id)
    roles = _roles(grid_id)
    chiefs = [str(r.person.name) for r in roles if r.kind == "grid_chief"]
    workers = tuple(str(r.person.name) for r in roles if r.kind == "grid_worker")
    return GridStaff(grid_id, str(grid.name), chiefs[0] if chiefs else "", workers)


def check(chief: str, workers: str) -> tuple[list[str], list[str]]:
    """The chief (at most one) and the workers, or :class:`StaffError` with the reasons."""
    errors: dict[str, str] = {}
    chiefs, crew = names(chief), names(workers)
    if len(chiefs) > 1:
        errors["grid_chief"] = "one_chief"
    for field, wanted in (("grid_chief", chiefs), ("grid_workers", crew)):
        if any(len(n) > NAME_MAX for n in wanted):
            errors.setdefault(field, "too_long")
    if errors:
        raise StaffError(errors)
    return chiefs, crew


def assign(grid_id: str, chief: str, workers: str) -> GridStaff:
    """Make ``chief`` the grid's chief and ``workers`` (names separated by 、 or commas)
    its workers; an empty field leaves the grid without one. Admin only."""
    require("grid.staff", operators.current_role())
    chiefs, crew = check(chief, workers)
    grid = Grid.get_by_id(grid_id)
    wanted = {("grid_chief", n) for n in chiefs} | {("grid_worker", n) for n in crew}
    held_before = [(str(r.kind), str(r.person.name)) for r in _roles(grid_id)]
    with store.write() as tx:
        held: set[tuple[str, str]] = set()
        for role in _roles(grid_id):
            key = (str(role.kind), str(role.person.name))
            if key in wanted and key not in held:
                held.add(key)
            else:
                tx.delete(Role, role.id)
        for kind, name in sorted(wanted - held):
            tx.insert(Role, person=_person(tx, str(grid.community_id), name), kind=kind,
                      grid=grid_id)
        _follow(grid_id, crew, [n for k, n in held_before if k == "grid_worker"])
    return grid_staff(grid_id)


def _follow(grid_id: str, crew: list[str], before: list[str]) -> None:
    """Grid-worker operators named here work this grid; one taken off it works none."""
    grid_workers = {o.name for o in operators.list_operators() if o.role == "grid_worker"}
    for name in crew:
        if name in grid_workers:
            operators.set_grid(name, grid_id)
    for name in set(before) - set(crew):
        if name in grid_workers and operators.grid_of(name) == grid_id:
            operators.set_grid(name, "")


def _person(tx: Any, community_id: str, name: str) -> str:
    found = (Person.select(Person.id)
             .where((Person.community == community_id) & (Person.name == name)
                    & (Person.deleted == False))  # noqa: E712
             .order_by(Person.id).first())
    return str(found.id) if found else tx.insert(Person, community=community_id, name=name)
