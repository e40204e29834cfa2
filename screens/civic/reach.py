"""How other screens reach the civic forms (the ledger's sections 5–6, the visit form):
one small function per entry point, so those screens only add a key and a call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.screen import Screen

from screens.civic.group import GroupScreen
from screens.civic.item_form import ItemFormScreen
from screens.civic.opinion_form import OpinionFormScreen

Done = Callable[[Any], None]


def _community(screen: Screen[Any]) -> str:
    return str(getattr(screen.app, "community_id", ""))


def new_opinion(screen: Screen[Any], building_id: str, household_id: str | None = None,
                resident_id: str | None = None, done: Done | None = None,
                channel: str = "visit", visit_id: str | None = None) -> None:
    screen.app.push_screen(OpinionFormScreen(_community(screen), building_id, household_id,
                                             resident_id, channel, visit_id), done)


def new_record(screen: Screen[Any], section: str, building_id: str, done: Done) -> None:
    """``n`` in the ledger: an opinion (section 5) or an item of this building (section 6)."""
    if section == "opinions":
        new_opinion(screen, building_id, done=done)
    else:
        screen.app.push_screen(ItemFormScreen(_community(screen), building_id=building_id),
                               done)


def edit_record(screen: Screen[Any], section: str, building_id: str, key: str,
                done: Done) -> None:
    if section == "opinions":
        screen.app.push_screen(OpinionFormScreen(_community(screen), building_id,
                                                 opinion_id=key), done)
    else:
        screen.app.push_screen(ItemFormScreen(_community(screen), key), done)


def group(screen: Screen[Any], opinion_id: str, done: Done) -> None:
    screen.app.push_screen(GroupScreen(_community(screen), opinion_id), done)


def open_item(screen: Screen[Any], item_id: str) -> None:
    from screens.civic.item_detail import ItemDetailScreen

    screen.app.push_screen(ItemDetailScreen(item_id))


def opinion_after_visit(app: Any, building_id: str, visit: Any, visit_id: str) -> None:
    """The visit form's "居民意见": the opinion form for the visited household, its text
    started from the visit's findings."""
    app.push_screen(OpinionFormScreen(str(app.community_id), building_id, visit.household_id,
                                      visit.resident_id, "visit", visit_id,
                                      text=visit.findings.strip()))
