"""The Textual App: wiring only — modes, global bindings, theme, header state."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.app import App, SystemCommand
from textual.screen import Screen

from app import i18n, keymap
from app.config import LocalSettings
from app.services import places
from app.services.station import pending_changes, station_summary
from screens.cases import CasesScreen
from screens.dialogs import ConfirmDialog
from screens.help import HelpScreen
from screens.ledger import LedgerScreen
from screens.map import MapScreen
from screens.mediation import MediationScreen

#: Top-level screens: mode name -> (screen class, binding id). Later issues add more.
TOP_LEVEL: dict[str, tuple[type[Screen], str]] = {
    "map": (MapScreen, "app.map"),
    "ledger": (LedgerScreen, "app.ledger"),
    "cases": (CasesScreen, "app.cases"),
    "mediation": (MediationScreen, "app.mediation"),
}


@keymap.bound
class MulinApp(App[None]):
    """睦邻 Mulin."""

    CSS_PATH = "../screens/app.tcss"
    TITLE = "睦邻 Mulin"
    MODES: ClassVar[dict[str, type[Screen]]] = {k: v[0] for k, v in TOP_LEVEL.items()}  # type: ignore[assignment]
    DEFAULT_MODE = "map"
    KEYS = ("app.map", "app.ledger", "app.cases", "app.mediation", "app.help", "app.quit",
            "app.quit_now", "app.palette")

    def __init__(self, settings: LocalSettings | None = None) -> None:
        keymap.refresh()  # descriptions in the chosen language
        super().__init__()
        self.settings = settings or LocalSettings()
        self.community = places.default_community()
        self.summary = station_summary()
        self.selected_building: str | None = None

    def on_mount(self) -> None:
        self.title = i18n.t("app.title")
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)

    @property
    def community_id(self) -> str:
        return self.community.id if self.community else ""

    def sync_state(self) -> int:
        return pending_changes()

    def open_building(self, building_id: str) -> None:
        """Show a building's ledger (from the map, search, a case …)."""
        self.selected_building = building_id
        self.switch_mode("ledger")
        screen = self.screen
        if isinstance(screen, LedgerScreen):
            screen.show_building(building_id)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen))

    def action_confirm_quit(self) -> None:
        def done(yes: bool | None) -> None:
            if yes:
                self.exit()

        self.push_screen(ConfirmDialog(i18n.t("app.quit_question")), done)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for mode in TOP_LEVEL:
            yield SystemCommand(i18n.t(f"palette.{mode}"), i18n.t(f"palette.{mode}.help"),
                                lambda m=mode: self.switch_mode(m))
        yield SystemCommand(i18n.t("palette.help"), i18n.t("palette.help.help"),
                            self.action_help)
        yield SystemCommand(i18n.t("palette.quit"), i18n.t("palette.quit.help"),
                            self.action_confirm_quit)
        yield from getattr(screen, "palette_commands", lambda: [])()
        yield from self._screen_actions(screen)

    def _screen_actions(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every action bound on the current screen, so the palette reaches them all."""
        seen = {"app.palette", "app.help", "app.quit", "app.quit_now",
                *(binding_id for _cls, binding_id in TOP_LEVEL.values())}
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.id or binding.id in seen or not binding.description:
                continue
            seen.add(binding.id)
            yield SystemCommand(binding.description, i18n.t("palette.action", key=binding.key),
                                lambda a=binding.action, n=active.node: self._run(a, n))

    def _run(self, action: str, node: object) -> None:
        self.call_later(self.run_action, action, node)
