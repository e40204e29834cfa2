"""The command palette (Ctrl+P) in the desk's words, matching 汉字, pinyin, initials and
English keywords (``kanban``, ``jjb``, ``handover``, ``dashboard`` …).

Textual's own palette matches only the characters of a command's title and speaks
English; this one asks :mod:`app.services.search.typeahead` and the catalogs.
"""

from __future__ import annotations

from typing import Any

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.widgets.option_list import Option

from app.i18n import t
from app.services.search import typeahead

#: rank (0 = at a word's start, 1 = inside one) -> score in the palette's order
SCORES = {0: 1.0, 1: 0.5}


def command_keywords(app: Any, title: str) -> tuple[str, ...]:
    """Extra words a command answers to (its catalog ``.keys``), registered by the app."""
    table: dict[str, str] = getattr(app, "palette_keywords", {})
    return tuple(table.get(title, "").split())


class MulinCommands(Provider):
    """The app's and the screen's commands, matched by typeahead."""

    def _commands(self) -> list[Any]:
        return list(self.app.get_system_commands(self.screen))

    async def discover(self) -> Hits:
        for title, help_text, callback, discover in sorted(self._commands(),
                                                           key=lambda c: c[0]):
            if discover:
                yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        for title, help_text, callback, *_ in self._commands():
            words = (*command_keywords(self.app, title), *help_text.split())
            rank = typeahead.rank(query, title, words)
            if rank is not None:
                yield Hit(SCORES[rank], Text(title), callback, text=title, help=help_text)


class MulinPalette(CommandPalette):
    """Ctrl+P with the catalog's placeholder and "no match" line."""

    def __init__(self) -> None:
        super().__init__(providers=[MulinCommands], placeholder=t("palette.placeholder"),
                         id="--command-palette")

    def _start_no_matches_countdown(self, search_value: str) -> None:
        """As Textual's, with the catalog's words (its text is fixed English)."""
        self._stop_no_matches_countdown()

        def show() -> None:
            if search_value:
                self.query_one(CommandList).add_option(Option(
                    Align.center(Text(t("palette.no_matches"), style="not bold")),
                    disabled=True, id=self._NO_MATCHES))
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show)
