"""Help for the current screen, generated from the keymap and the catalogs.

The keys shown are the effective ones: the user's ``[keymap]`` overrides included.
"""

from __future__ import annotations

from typing import Any

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from app import keymap
from app.i18n import t


def _keys_table(ids: tuple[str, ...], title: str, app: Any = None) -> Table:
    table = Table(title=title, show_header=False, box=None, expand=True, title_justify="left")
    table.add_column(style="bold", no_wrap=True, width=22)
    table.add_column()
    for key, label in keymap.describe(ids, app):
        table.add_row(key, label)
    return table


class HelpScreen(ModalScreen[None]):
    """What this screen is for and every key it answers to."""

    BINDINGS = [Binding("escape,f1,q,question_mark", "dismiss", show=False)]

    def __init__(self, for_screen: Screen[Any]) -> None:
        super().__init__()
        self.for_screen = for_screen

    def compose(self) -> ComposeResult:
        name = getattr(self.for_screen, "NAME", "")
        screen_keys: tuple[str, ...] = getattr(self.for_screen, "KEYS", ())
        app_keys: tuple[str, ...] = getattr(self.app, "KEYS", ())
        with VerticalScroll(classes="dialog help"):
            yield Static(f"[b]{t(f'screen.{name}')}[/b] — {t('help.title')}")
            text = getattr(self.for_screen, "help_text", lambda: t(f"help.{name}"))()
            yield Static(text, classes="help-text")  # the screen's own words for what it has
            yield Static(_keys_table(screen_keys, t("help.screen_keys"), self.app))
            yield Static(_keys_table(app_keys, t("help.app_keys"), self.app))
            yield Static(t("help.close"), classes="help-hint")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
