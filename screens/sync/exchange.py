"""Sync screen 同步 (F10): this station and its peers, pending changes, export / import /
sync folder / street hub with progress, conflicts to resolve and probable duplicates to merge."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, ProgressBar, Static

from app import clock, keymap
from app.i18n import t
from app.services.sync import duplicates, exchange, views
from screens import busy
from screens.sync.hub import BundleWorkScreen
from screens.widgets.virtual_table import Column, FuncSource, ListSource, Row, VirtualTable

keymap.define("sync.export", "x", "export")
keymap.define("sync.import", "i", "import_bundle")
keymap.define("sync.folder", "s", "sync_folder")
keymap.define("sync.keep_other", "o", "keep_other")
keymap.define("sync.accept", "a", "accept_winner")
keymap.define("sync.duplicates", "d", "toggle_duplicates")
keymap.define("sync.merge", "m", "merge")
keymap.define("sync.hub", "h", "sync_hub")


class PathSuggester(Suggester):
    """Completes the last part of a path from what is on disk (→ accepts)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        folder, _, stem = value.rpartition(os.sep)
        where = Path(os.path.expanduser(folder or "."))
        try:
            names = sorted(p.name + (os.sep if p.is_dir() else "") for p in where.iterdir()
                           if p.name.startswith(stem) and not p.name.startswith("."))
        except OSError:
            return None
        return f"{folder}{os.sep if folder else ''}{names[0]}" if names else None


class FileDialog(ModalScreen[str | None]):
    """Type a path (→ completes from disk); Enter answers, Esc cancels."""

    BINDINGS = [Binding("escape", "cancel", t("keys.nav.back"))]

    def __init__(self, question: str, value: str) -> None:
        super().__init__()
        self.question, self.value = question, value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="dialog-question")
            yield Input(self.value, id="sync-path", suggester=PathSuggester())
            yield Static(t("sync.ui.path_hint"), classes="help-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


def _when(at: Any) -> str:
    return f"{at:%m-%d %H:%M}" if at else "—"


def conflict_row(c: views.ConflictView) -> Row:
    field = t("sync.ui.deleted_field") if c.kind == "delete" else c.field
    return Row(c.id, [c.record, field, c.current, c.other,
                      f"{c.other_who} {_when(c.other_when)}"], style="yellow")


def duplicate_row(p: duplicates.DuplicatePair) -> Row:
    return Row(f"{p.keep_id}|{p.other_id}",
               [p.name, p.other_name, p.birth_date or "—", t(f"sync.ui.dup.{p.reason}")])


@keymap.bound
class SyncScreen(BundleWorkScreen):
    """Peers, pending changes, bundles (files or the street hub), conflicts and duplicates."""

    NAME = "sync"
    KEYS = ("sync.export", "sync.import", "sync.folder", "sync.hub", "sync.keep_other",
            "sync.accept", "sync.duplicates", "sync.merge")

    DEFAULT_CSS = """
    SyncScreen #sync-peers { height: auto; max-height: 5; padding: 0 1; }
    SyncScreen #sync-detail { height: 2; padding: 0 1; color: $text-muted; }
    SyncScreen #sync-progress { height: 1; padding: 0 1; display: none; }
    SyncScreen #sync-progress.busy { display: block; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.showing_duplicates = False
        self.busy = False

    def compose_body(self) -> ComposeResult:
        yield Static(id="sync-station", classes="section-title")
        yield Static(id="sync-peers")
        yield Static(id="sync-list-title", classes="section-title")
        yield VirtualTable(self._columns(), id="sync-list")
        yield Static(id="sync-detail")
        yield ProgressBar(total=100, show_eta=False, id="sync-progress")

    def _columns(self) -> list[Column]:
        if self.showing_duplicates:
            return [Column(t("sync.ui.col.keep"), 12), Column(t("sync.ui.col.other"), 12),
                    Column(t("sync.ui.col.born"), 10), Column(t("sync.ui.col.reason"), 0)]
        return [Column(t("sync.ui.col.record"), 16), Column(t("sync.ui.col.field"), 8),
                Column(t("sync.ui.col.current"), 12), Column(t("sync.ui.col.other"), 12),
                Column(t("sync.ui.col.who"), 0)]

    def on_mount(self) -> None:
        self.show()
        self.query_one("#sync-list", VirtualTable).focus()

    def on_screen_resume(self) -> None:
        if self.stale():
            self.show()

    # -- drawing -------------------------------------------------------------------
    def show(self) -> None:
        o = views.overview()
        line = t("sync.ui.station", station=o.station, pending=o.pending,
                 conflicts=o.open_conflicts)
        if o.demo_key:
            line += "  " + t("sync.ui.demo_key")
        self.query_one("#sync-station", Static).update(line)
        self.query_one("#sync-peers", Static).update(self._peers(o))
        self._fill_list()
        self.refresh_header()

    def _peers(self, o: views.Overview) -> Table | Text:
        table = Table(box=None, show_header=False, expand=True, padding=(0, 1))
        table.add_column(no_wrap=True, ratio=1)
        table.add_column(no_wrap=True, width=24)
        for warning in o.warnings[:1]:
            table.add_row(Text(warning, style="bold red"), "")
        if not o.peers:
            table.add_row(t("sync.ui.no_peers"), "")
        for p in o.peers[:3]:
            heard = t("sync.ui.heard", at=_when(p.last_heard)) if p.last_heard \
                else t("sync.ui.never_heard")
            table.add_row(p.name, heard)
        if len(o.peers) > 3:
            table.add_row(t("sync.ui.more_peers", n=len(o.peers) - 3), "")
        return table

    def _fill_list(self) -> None:
        table = self.query_one("#sync-list", VirtualTable)
        table.columns = self._columns()
        if self.showing_duplicates:
            pairs = duplicates.all_pairs()
            table.set_source(ListSource([duplicate_row(p) for p in pairs]))
            title = t("sync.ui.duplicates_title", n=len(pairs))
        else:
            table.set_source(FuncSource(views.count_conflicts, lambda o, n: [
                conflict_row(c) for c in views.conflicts_page(o, n)]))
            title = t("sync.ui.conflicts_title", n=table.row_count)
        self.query_one("#sync-list-title", Static).update(title)
        self._detail(table.current_row)

    def _detail(self, row: Row | None) -> None:
        text = ""
        if row is not None and not self.showing_duplicates:
            c = views.conflict(row.key)
            if c is not None:
                text = t("sync.ui.detail", current=c.current, winner=c.winner_who,
                         won_at=_when(c.winner_when), other=c.other, loser=c.other_who,
                         lost_at=_when(c.other_when))
        elif row is not None:
            text = t("sync.ui.merge_hint")
        self.query_one("#sync-detail", Static).update(text)

    def on_virtual_table_highlighted(self, event: VirtualTable.Highlighted) -> None:
        self._detail(event.row)

    # -- conflicts and duplicates ----------------------------------------------------
    def _current_key(self) -> str | None:
        row = self.query_one("#sync-list", VirtualTable).current_row
        return row.key if row else None

    def action_keep_other(self) -> None:
        key = self._current_key()
        if key is None or self.showing_duplicates:
            return
        # the signed-in operator is stamped by the store
        self._write(lambda: views.keep_other(key), "sync.ui.kept_other",
                    (views.ConflictError, ValueError))

    def _write(self, work: Any, notice: str, refusals: tuple[type[Exception], ...]) -> None:
        """``work()``, waiting for an import holding the database (issue 18)."""
        def refused(exc: Exception) -> bool:
            if isinstance(exc, refusals):
                self.notify(str(exc), severity="error")
            return isinstance(exc, refusals)

        def saved(_: object) -> None:
            self.notify(t(notice))
            self.show()

        busy.save(self, work, saved, refused)

    def action_accept_winner(self) -> None:
        key = self._current_key()
        if key is None or self.showing_duplicates:
            return
        self._write(lambda: views.accept_winner(key), "sync.ui.accepted", ())

    def action_toggle_duplicates(self) -> None:
        self.showing_duplicates = not self.showing_duplicates
        self.show()

    def action_merge(self) -> None:
        key = self._current_key()
        if key is None or not self.showing_duplicates:
            return
        keep, other = key.split("|")
        self._write(lambda: duplicates.merge(keep, other), "sync.ui.merged",
                    (duplicates.MergeError,))

    # -- bundles ---------------------------------------------------------------------
    def _default_dir(self) -> Path:
        return Path(os.environ.get("MULIN_SYNC_DIR") or os.path.expanduser("~"))

    def _ask(self, question: str, value: str, then: Any) -> None:
        if self.busy:
            self.notify(t("sync.ui.busy"), severity="warning")
            return

        def done(answer: str | None) -> None:
            if answer:
                then(Path(os.path.expanduser(answer)))

        self.app.push_screen(FileDialog(question, value), done)

    def action_export(self) -> None:
        name = f"mulin-{clock.local(clock.now()):%Y%m%d-%H%M}.mulin"
        self._ask(t("sync.ui.ask_export"), str(self._default_dir() / name), self._run_export)

    def action_import_bundle(self) -> None:
        self._ask(t("sync.ui.ask_import"), str(self._default_dir()) + os.sep,
                  self._run_import)

    def action_sync_folder(self) -> None:
        self._ask(t("sync.ui.ask_folder"), str(self._default_dir()) + os.sep, self._run_folder)

    @work(thread=True, exclusive=True, group="sync")
    def _run_export(self, path: Path) -> None:
        self.app.call_from_thread(self._start)
        try:
            result = exchange.export_bundle(path, progress=self._progress)
            lines = [t("sync.cli.exported", path=result.path, n=result.changes,
                       origins=result.origins)]
            self.app.call_from_thread(self._finish, lines)
        except (exchange.BundleError, OSError) as exc:
            self.app.call_from_thread(self._finish, [str(exc)], True)

    @work(thread=True, exclusive=True, group="sync")
    def _run_import(self, path: Path) -> None:
        self.app.call_from_thread(self._start)
        if not self._backed_up():
            return
        files = sorted(path.glob("*.mulin")) if path.is_dir() else [path]
        results = exchange.import_files(files, self._progress)
        lines, refused = self._summary(results)
        self.app.call_from_thread(self._finish, lines, refused)

    @work(thread=True, exclusive=True, group="sync")
    def _run_folder(self, path: Path) -> None:
        self.app.call_from_thread(self._start)
        if not self._backed_up():
            return
        try:
            result = exchange.sync_folder(path, self._progress)
        except OSError as exc:
            self.app.call_from_thread(self._finish, [str(exc)], True)
            return
        lines, refused = self._summary([r for r in result.imports
                                        if r.status not in ("already", "own")])
        self.app.call_from_thread(self._finish, lines, refused)
