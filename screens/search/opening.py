"""The app's side of search (mixed into ``MulinApp``): Ctrl+F, and opening the record a
search chose on the right screen.

Kept apart from the search box (:mod:`screens.search.find`), which is imported the first
time it opens: the desk's first frame does not wait for the search services (issue 16).
The search box's keys are defined with it (:mod:`screens.search.keys`), so
``settings.toml`` can rebind them from the start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.css.query import NoMatches
from textual.screen import Screen

from app.i18n import t
from screens.search import keys as _keys  # noqa: F401 - defines the search box's keys

if TYPE_CHECKING:
    from app.services.search.lookup import Hit



class SearchApp:
    """The app's side of search (mixed into ``MulinApp``): the global key, and opening
    the record a search chose on the right screen."""

    def can_see_ids(self) -> bool:
        """May the operator on duty see ID numbers (and so search by them)?"""
        from app.services.trust import operators, permissions

        return permissions.may_reveal(operators.current_role(), "id_number")

    def action_search(self) -> None:
        """Ctrl+F anywhere, ``/`` on lists: open the search box (or go back to it)."""
        from screens.search.find import SearchScreen  # loaded on first use

        app = cast(Any, self)
        screen = app.screen
        if isinstance(screen, SearchScreen):
            screen.action_search()
            return
        app.push_screen(SearchScreen(self.can_see_ids()), self.open_hit)

    def open_hit(self, hit: Hit | None) -> None:
        """Enter on a search result: the building ledger at the household, the case, …"""
        if hit is None:
            return
        if hit.kind in ("resident", "household", "building"):
            self.open_building(hit.building_id, hit.household_id or None)
        elif hit.kind == "opinion":
            from screens.search.opinion_hit import open_opinion

            open_opinion(self, hit)
        else:
            cast(Any, self).run_worker(self._open_record(hit), group="open", exclusive=True)

    def open_building(self, building_id: str, household_id: str | None = None) -> None:
        """Show a building's ledger (from the map, search, a case …), at a household."""
        from screens.places.ledger import LedgerScreen

        app = cast(Any, self)
        app.selected_building = building_id
        app.selected_household = household_id
        mounted = app.switch_mode("ledger")
        screen = app.screen
        if not isinstance(screen, LedgerScreen):
            return
        if screen.is_mounted:
            show_household(screen, building_id, household_id)
        else:  # a fresh ledger shows ``selected_building`` itself once mounted
            app.run_worker(self._after_mount(mounted, screen, building_id, household_id),
                           group="open", exclusive=True)

    async def _after_mount(self, mounted: Any, screen: Screen[Any], building_id: str,
                           household_id: str | None) -> None:
        await mounted
        show_household(screen, building_id, household_id)

    async def _open_record(self, hit: Hit) -> None:
        """A case or a mediation: its screen, at the record (its detail if it has one)."""
        app = cast(Any, self)
        mode = "cases" if hit.kind == "case" else "mediation"
        await app.switch_mode(mode)
        screen = app.screen
        opener = getattr(screen, f"open_{hit.kind}", None) or getattr(screen, "open_detail",
                                                                        None)
        if opener is not None:
            opener(hit.id)
        elif hit.kind == "case":
            from screens.cases.detail import CaseDetailScreen  # loaded on first use

            app.push_screen(CaseDetailScreen(hit.id))
        elif not select_row(screen, None, hit.id):
            app.notify(t("search.not_listed", number=hit.title))


def show_household(screen: Any, building_id: str, household_id: str | None) -> None:
    """The ledger on ``building_id`` with its cursor on ``household_id``."""
    if getattr(screen, "building_id", None) != building_id or household_id is None:
        screen.show_building(building_id)
    if household_id is None:
        return
    select = getattr(screen, "select_household", None)
    if select is not None:
        select(household_id)
        return
    if getattr(screen, "section", "households") != "households":
        screen.show_section("households")
    select_row(screen, None, household_id)


def select_row(screen: Screen[Any], selector: str | None, key: str, limit: int = 5000) -> bool:
    """Put a VirtualTable's cursor on the row with ``key``, scrolled into view;
    ``selector`` None: the screen's first table. ``limit`` is kept for callers (the table
    bounds its own search)."""
    from screens.widgets.virtual_table import VirtualTable

    try:
        table = (screen.query_one(selector, VirtualTable) if selector
                 else screen.query_one(VirtualTable))
    except NoMatches:
        return False
    if table.move_to_key(key):  # scrolls the row into the visible region
        table.focus()
        return True
    return False
