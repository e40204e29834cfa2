"""The search box's keys, defined when the desk starts (``settings.toml`` can rebind them
from the start) without loading the search box itself (:mod:`screens.search.find`)."""

from __future__ import annotations

from app import keymap

keymap.define("search.open", "enter", "open", priority=True)  # over the Input's own Enter
keymap.define("search.down", "down", "move(1)", priority=True)
keymap.define("search.up", "up", "move(-1)", priority=True)
keymap.define("search.page_down", "pagedown", "move(8)", show=False, priority=True)
keymap.define("search.page_up", "pageup", "move(-8)", show=False, priority=True)
