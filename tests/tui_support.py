"""Helpers for Pilot tests: what the terminal shows, as a person would read it."""

from __future__ import annotations

import html
import re
from typing import Any


def screen_text(app: Any) -> str:
    """Everything the terminal shows now (screens, dialogs, notices), as plain text."""
    svg = app.export_screenshot()
    body = re.sub(r"<style.*?</style>", "", svg, flags=re.S)
    runs = re.findall(r"<text[^>]*>(.*?)</text>", body, flags=re.S)
    return html.unescape("\n".join(re.sub(r"<[^>]+>", "", run) for run in runs))


def squeezed(text: str) -> str:
    """``text`` without blanks, so a label wrapped over two lines still reads as one."""
    return "".join(text.split())


def shows(app: Any, *texts: str) -> bool:
    """Whether the terminal shows every one of ``texts`` (blanks and wrapping ignored)."""
    seen = squeezed(screen_text(app))
    return all(squeezed(text) in seen for text in texts)


def notices(app: Any) -> str:
    """The notices (toasts) raised so far and not yet expired, one per line."""
    return "\n".join(str(n.message) for n in app._notifications)
