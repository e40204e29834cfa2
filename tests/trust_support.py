"""Test helpers for trust: a station's operators, made the way an admin makes them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from app.services.trust import operators

#: role -> (name, PIN), as on the demo station.
STAFF = {"admin": ("书记", "0000"), "duty": ("值班员", "1111"),
         "grid_worker": ("网格员", "2222")}


def add_staff(*roles: str, grid_id: str = "") -> dict[str, str]:
    """The admin (always, first) and one operator per role; nobody stays signed in.
    The grid worker works ``grid_id``. Returns role -> operator id."""
    name, pin = STAFF["admin"]
    ids = {"admin": operators.add_operator(name, "admin", pin)
           if not operators.has_operators() else operators.list_operators()[0].id}
    operators.sign_in_as(ids["admin"])
    for role in roles:
        if role != "admin":
            name, pin = STAFF[role]
            ids[role] = operators.add_operator(name, role, pin,
                                               grid_id=grid_id if role == "grid_worker" else "")
    operators.sign_out()
    return ids


@pytest.fixture
def nobody() -> Iterator[None]:
    """Nobody signed in before and after the test (use with ``autouse`` in a module)."""
    operators.sign_out()
    yield
    operators.sign_out()


async def sign_in(pilot: Any, downs: int, pin: str) -> None:
    """At the sign-in screen: ``downs`` × ↓ to pick the operator, the PIN, Enter."""
    await pilot.pause()
    await pilot.press(*(["down"] * downs), *pin, "enter")
    await pilot.pause()
