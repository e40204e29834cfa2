"""An opinion 居民意见 among the search results: how its line reads, and where Enter goes
(the building ledger, opinions section, the cursor on it)."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from app import labels
from app.i18n import t
from app.services.search.hits import Hit


def opinion_line(hit: Hit) -> Text:
    """``04a1b4b9 1-801 入户走访 2026-03-04 楼道灯坏了…`` (phones and IDs as the role sees)."""
    line = Text()
    line.append(hit.title, style="bold")
    line.append(f" {hit.extra.get('place') or t('civic.anonymous')}", style="cyan")
    line.append(f" {labels.field('opinion', 'source', hit.extra.get('channel', ''))}")
    line.append(f" {hit.extra.get('date', '')}", style="dim")
    line.append(f" {hit.detail}")
    return line


def open_opinion(app: Any, hit: Hit) -> None:
    """The opinion in its building's ledger (opinions section), highlighted."""
    if not hit.building_id:
        app.notify(t("search.not_listed", number=hit.title), severity="warning")
        return
    app.open_building(hit.building_id)
    app.call_after_refresh(_select, app, hit)


def _select(app: Any, hit: Hit) -> None:
    from screens.widgets.virtual_table import VirtualTable

    screen = app.screen
    if getattr(screen, "building_id", None) != hit.building_id:
        app.call_after_refresh(_select, app, hit)  # the ledger is still mounting
        return
    screen.show_section("opinions")
    table = screen.query_one(VirtualTable)
    if table.move_to_key(hit.id):
        table.focus()
    else:
        app.notify(t("search.not_listed", number=hit.title), severity="warning")
