"""Printing from the civic screens in a worker: the 公示 (PDF + xlsx) and minutes (PDF)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.screen import Screen

from app.i18n import t
from app.services.civic import documents


def print_notice(screen: Screen[Any], building_id: str | None) -> None:
    """Write the notice of the community (or one building) and say where it went."""
    community = str(getattr(screen.app, "community_id", ""))
    screen.notify(t("civic.printing"))

    def job() -> None:
        try:
            paths = documents.export_notice(community, building_id)
        except OSError as exc:
            screen.app.call_from_thread(screen.notify, str(exc), severity="error")
            return
        _done(screen, paths)

    screen.run_worker(job, thread=True, group="civic-print", exclusive=True)


def print_minutes(screen: Screen[Any], meeting_id: str) -> None:
    screen.notify(t("civic.printing"))

    def job() -> None:
        try:
            path = documents.export_minutes(meeting_id)
        except OSError as exc:
            screen.app.call_from_thread(screen.notify, str(exc), severity="error")
            return
        _done(screen, [path])

    screen.run_worker(job, thread=True, group="civic-print", exclusive=True)


def _done(screen: Screen[Any], paths: list[Path]) -> None:
    text = t("civic.printed", paths="\n".join(str(p) for p in paths))
    screen.app.call_from_thread(screen.notify, text, timeout=10)
