"""The Textual App: wiring only — modes, global bindings, theme, header state."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, partial
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual.app import App, SystemCommand
from textual.screen import Screen

from app import i18n, keymap
from app.config import LocalSettings
from screens.dialogs import ConfirmDialog
from screens.help import HelpScreen
from screens.search.opening import SearchApp
from screens.trust.lock import TrustApp
from screens.trust.signin import SignInScreen

if TYPE_CHECKING:
    from app.services.places.views import CommunityView
    from app.services.trust.roster import OperatorView

# Nothing imported above loads peewee or the models: a station's first frame, the
# sign-in, is drawn before them (issue 16, ``SignInFirstApp``); what needs the database
# imports its service where it is used.

#: Set (to ``1``) to quit right after the first screen is drawn: ``benchmarks/`` times a
#: whole process from spawn to its first interactive frame this way.
EXIT_AFTER_FIRST_FRAME = "MULIN_EXIT_AFTER_FIRST_FRAME"
#: With it, a file the first frame's wall-clock time (``time.time()``) is written to, so
#: the benchmark times spawn → first paint without the exit (benchmarks/suite.py).
FIRST_FRAME_FILE = "MULIN_FIRST_FRAME_FILE"


def first_frame_drawn(exit_app: Callable[[], object]) -> None:
    """The benchmark hook: note when the first frame was drawn, then quit."""
    import time

    target = os.environ.get(FIRST_FRAME_FILE)
    if target:
        with open(target, "w", encoding="ascii") as out:
            out.write(repr(time.time()))
    exit_app()

#: Top-level screens: mode name -> ("module:Class", binding id). A screen's module is
#: imported the first time the screen is shown, not at start-up (benchmarks/: start time).
TOP_LEVEL: dict[str, tuple[str, str]] = {
    "map": ("screens.places.map:MapScreen", "app.map"),
    "ledger": ("screens.places.ledger:LedgerScreen", "app.ledger"),
    "cases": ("screens.cases.board:CasesScreen", "app.cases"),
    "mediation": ("screens.mediation.records:MediationScreen", "app.mediation"),
    "care": ("screens.places.care:CareScreen", "app.care"),
    "dashboard": ("screens.cases.dashboard:DashboardScreen", "app.dashboard"),
    "handover": ("screens.cases.handover:HandoverScreen", "app.handover"),
    "sync": ("screens.sync.exchange:SyncScreen", "app.sync"),
    "civic": ("screens.civic.ranked:LivelihoodScreen", "app.civic"),
}


@cache
def screen_class(mode: str) -> type[Screen]:
    """The screen class of a top-level mode, imported on first use."""
    module, name = TOP_LEVEL[mode][0].split(":")
    cls: type[Screen] = getattr(importlib.import_module(module), name)
    return cls


def _factory(mode: str) -> Callable[[], Screen]:
    return lambda: screen_class(mode)()


@keymap.bound
class MulinApp(SearchApp, TrustApp, App[None]):
    """睦邻 Mulin."""

    CSS_PATH = "../screens/app.tcss"
    TITLE = "睦邻 Mulin"
    MODES: ClassVar[dict[str, Callable[[], Screen]]] = {m: _factory(m) for m in TOP_LEVEL}  # type: ignore[assignment]
    DEFAULT_MODE = "map"
    KEYS = ("app.map", "app.ledger", "app.cases", "app.mediation", "app.care",
            "app.dashboard", "app.handover", "app.intake", "app.sync", "app.civic", "app.help",
            "app.search", "nav.search", "app.quit", "app.quit_now", "app.palette", "app.lock",
            "app.history")
    QUIET_KEYS = ("nav.search",)  # `/` works on every list; the footer shows Ctrl+F once

    def __init__(self, settings: LocalSettings | None = None,
                 operator: str | None = None, demo: bool = False,
                 after_first_paint: Callable[[], None] | None = None) -> None:
        keymap.refresh()  # descriptions in the chosen language
        super().__init__()
        self.settings = settings or LocalSettings()
        self.community: CommunityView | None = None
        self.summary: dict[str, str] = {}
        self.is_demo = demo  # the sign-in screen shows the demo PINs
        self.selected_building: str | None = None
        self.selected_household: str | None = None  # set by search: the ledger's cursor
        self._after_first_paint = after_first_paint  # e.g. the daily backup (issue 16)
        self._painted = False
        self._deferred: list[Callable[[], object]] = []
        if self.STATION_OPEN_AT_START:
            self.desk_ready(operator)  # issue 9: signed in directly (tests) or nobody

    #: Is the station open when the app is made? (``SignInFirstApp`` opens it later.)
    STATION_OPEN_AT_START: ClassVar[bool] = True

    def desk_ready(self, operator: str | None) -> None:
        """The open station's facts the desk shows, its waiting rules, and its operator."""
        from app.services.places import views as places
        from app.services.station import waiting
        from app.services.station.identity import station_summary

        waiting.tui_defaults()  # a busy database never ends the app (issue 18)
        self.community = places.default_community()
        self.summary = station_summary()
        self.init_trust(operator)

    def on_mount(self) -> None:
        self.title = i18n.t("app.title")
        rejected = keymap.apply(self, self.settings.keymap)  # settings.toml [keymap]
        if rejected:
            self.notify(i18n.t("keys.rejected", ids=", ".join(rejected)), severity="warning")
        if self.STATION_OPEN_AT_START:
            self.start_trust()  # issue 9: sign-in gate when the station has operators
        if os.environ.get(EXIT_AFTER_FIRST_FRAME):  # benchmark hook: the time is noted
            self.call_after_refresh(first_frame_drawn, lambda: None)  # as soon as painted
        self.call_after_refresh(self._first_paint)

    @property
    def painted(self) -> bool:
        """Is the first frame on the terminal?"""
        return self._painted

    def defer_until_painted(self, callback: Callable[[], object]) -> bool:
        """Keep ``callback`` until the first frame is on the terminal (issue 16: what the
        first frame does not show never delays it); False once it has been painted."""
        if self._painted:
            return False
        self._deferred.append(callback)
        return True

    async def _first_paint(self) -> None:
        """The first frame is painted: run what waited for it, each as its own message
        (after the frame's other callbacks, one by one so keys can come between)."""
        self._painted = True
        deferred, self._deferred = self._deferred, []
        for callback in deferred:
            self.call_later(callback)
        if self._after_first_paint:
            self.call_later(self._after_first_paint)
        if os.environ.get(EXIT_AFTER_FIRST_FRAME):  # the benchmark: quit once the desk is
            self.call_later(self.exit)  # open and the daily backup started, as a user's would

    #: bumped when a different operator signs in: screens reset their filters on seeing it
    operator_epoch = 0
    _duty_operator = ""

    def _gate_done(self, ok: bool | str | None) -> None:
        """After sign-in or unlock: a new operator starts from unfiltered lists."""
        if self.operator_name != self._duty_operator:
            self._duty_operator = self.operator_name
            self.operator_epoch += 1
        super()._gate_done(ok)

    @property
    def community_id(self) -> str:
        return self.community.id if self.community else ""

    def sync_state(self) -> int:
        from app.services.station.identity import pending_changes

        return pending_changes()

    def action_intake(self) -> None:
        """F9 on any screen: take a new case (issue 4)."""
        from screens.cases.intake import open_intake  # lazy: not in the first frame

        open_intake(self)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen))

    def action_confirm_quit(self) -> None:
        def done(yes: bool | None) -> None:
            if yes:
                self.exit()

        self.push_screen(ConfirmDialog(i18n.t("app.quit_question")), done)

    def action_command_palette(self) -> None:
        """Ctrl+P: the palette in the desk's words, matching pinyin and keywords too."""
        from textual.command import CommandPalette

        from screens.widgets.palette import MulinPalette

        if self.use_command_palette and not CommandPalette.is_open(cast(Any, self)):
            self.push_screen(MulinPalette())

    def _command(self, name: str, run: Callable[[], object]) -> SystemCommand:
        """A palette command from the catalog: title, help and (hidden) keywords."""
        title = i18n.t(f"palette.{name}")
        if i18n.has(f"palette.{name}.keys"):
            self.palette_keywords[title] = i18n.t(f"palette.{name}.keys")
        return SystemCommand(title, i18n.t(f"palette.{name}.help"), run)

    async def _dispatch_action(self, namespace: Any, action_name: str, params: Any) -> bool:
        """Any action that meets a busy database says so instead of ending the app."""
        try:
            return await super()._dispatch_action(namespace, action_name, params)
        except Exception as exc:
            from app.services.station import waiting

            if not waiting.is_busy(exc):
                raise
            self.notify(i18n.t("faults.tui.busy"), severity="warning", timeout=10)
            return True

    def _handle_exception(self, error: Exception) -> None:
        """A background worker that met a busy database: a notice, not an exit."""
        from app.services.station import waiting

        cause = getattr(error, "error", None)
        if cause is not None and waiting.is_busy(cause):
            self.notify(i18n.t("faults.tui.busy"), severity="warning", timeout=10)
            return
        super()._handle_exception(error)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        self.palette_keywords: dict[str, str] = {}
        for mode in TOP_LEVEL:
            yield self._command(mode, partial(self.switch_mode, mode))
        yield self._command("intake", self.action_intake)
        yield self._command("help", self.action_help)
        yield self._command("search", self.action_search)
        yield self._command("lock", self.action_lock)
        yield self._command("quit", self.action_confirm_quit)
        yield from getattr(screen, "palette_commands", lambda: [])()
        yield from self._screen_actions(screen)

    def _screen_actions(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every action bound on the current screen, so the palette reaches them all."""
        seen = {"app.palette", "app.help", "app.quit", "app.quit_now",
                *(binding_id for _path, binding_id in TOP_LEVEL.values())}
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.id or binding.id in seen or not binding.description:
                continue
            seen.add(binding.id)
            yield SystemCommand(binding.description, i18n.t("palette.action", key=binding.key),
                                lambda a=binding.action, n=active.node: self._run(a, n))

    def _run(self, action: str, node: object) -> None:
        self.call_later(self.run_action, action, node)


@dataclass(frozen=True)
class Opening:
    """A station whose sign-in can be drawn before it is opened: who may sign in
    (``app.services.trust.roster.peek``) and how to open it (raises with the reason)."""

    roster: Sequence[OperatorView]
    open_station: Callable[[], None]


class SignInFirstApp(MulinApp):
    """The desk of a station with operators, whose first frame is its sign-in (issue 16).

    That frame needs the operators' names and nothing else of the station: it is drawn
    from :class:`Opening`'s roster in Textual's default mode, before peewee and the models
    are imported. Right after it the station is opened (migration checks, the models,
    the desk's facts) and the desk comes up in its first mode, under the same sign-in
    carrying whatever was typed meanwhile; keys wait behind the opening, none is lost.
    If the station cannot be opened the app ends, and :attr:`open_failure` says why.
    """

    DEFAULT_MODE = "_default"  # Textual's: its screen is get_default_screen()
    STATION_OPEN_AT_START = False

    def __init__(self, settings: LocalSettings, opening: Opening,
                 after_first_paint: Callable[[], None] | None = None) -> None:
        super().__init__(settings, after_first_paint=after_first_paint)
        self.opening = opening
        self.open_failure: BaseException | None = None
        self.init_gate_first()

    def get_default_screen(self) -> Screen:
        self.first_gate = SignInScreen(roster=self.opening.roster)
        return self.first_gate

    async def _first_paint(self) -> None:
        self.call_later(self._open_desk)  # on the app's own queue, ahead of later keys

    async def _open_desk(self) -> None:
        try:
            self.opening.open_station()
            self.desk_ready(None)
        except (Exception, KeyboardInterrupt) as exc:  # said by the caller, one line
            self.open_failure = exc
            self.exit()
            return
        self.switch_mode(MulinApp.DEFAULT_MODE)
        gate = self.start_trust(self.first_gate.typed())
        if gate is not None:
            await gate  # keys typed meanwhile wait for the sign-in that takes them
        await super()._first_paint()
