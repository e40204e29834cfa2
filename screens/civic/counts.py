"""A few lines for the dashboard: the 民生清单 funnel (opinions → items → done), community
total first, then per grid."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from app.i18n import t
from app.services.civic import counts


class CivicCounts(Static):
    """Opinions → items → done, for the community and each grid."""

    DEFAULT_CSS = "CivicCounts { height: auto; max-height: 3; padding: 0 1; }"

    def show(self, community_id: str) -> None:
        whole = counts.total(community_id)
        text = Text(t("civic.funnel", opinions=whole.opinions, items=whole.items,
                      done=whole.done), style="bold")
        text.append(" " + t("civic.funnel_grids"))
        for grid in counts.by_place(community_id, "grid"):  # no space inside an entry
            text.append(f" {grid.short}:{grid.opinions}→{grid.items}→{grid.done}")
        self.update(text)
