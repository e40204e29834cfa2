"""A footer that shows every key of the current screen, wrapping onto a second line.

Textual's stock ``Footer`` is one line and silently drops what does not fit; at 80
columns that hid the app-wide keys (F1 help, q quit). This one lists the screen's own keys
first, then the app's, packed into as many lines as the width needs (at most three).
It redraws one Text (no widget recompose) and only when the keys shown changed: the stock
Footer's recompose on every focus change made screen switches slow (benchmarks/).
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static

from app.i18n import t

_GAP = "  "
_MAX_LINES = 3


class KeyFooter(Static):
    """Every binding with ``show=True`` on the active screen, screen keys first."""

    DEFAULT_CSS = """
    KeyFooter { dock: bottom; height: auto; max-height: 3; background: $panel;
                color: $text; padding: 0 1; }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, lambda _screen: self._redraw())
        self.call_after_refresh(self._redraw)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def on_resize(self) -> None:
        self._redraw()

    def _shown_bindings(self) -> list[Binding]:
        local: list[Binding] = []
        app_wide: list[Binding] = []
        seen: set[str] = set()
        for node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or not enabled or binding.action in seen:
                continue
            seen.add(binding.action)
            (app_wide if node is self.app else local).append(binding)
        return local + app_wide

    def _item(self, binding: Binding) -> Text:
        key = self.app.get_key_display(binding)
        key = key.upper() if len(key) <= 3 and key[:1] in "fF" and key[1:].isdigit() else key
        return Text.assemble((key, "bold"), " ", binding.description)

    _drawn: tuple[object, ...] | None = None

    def _redraw(self) -> None:
        width = max(20, self.size.width - 2)
        bindings = self._shown_bindings()
        signature = (width, *((b.key, b.description) for b in bindings))
        if signature == self._drawn:
            return
        self._drawn = signature
        items = [self._item(b) for b in bindings]
        lines = _pack(items, width)
        if lines is None:  # too many keys: name the screen keys as one range instead
            items = self._collapsed(bindings)
            lines = _pack(items, width) or _pack(items, width, force=True) or []
        self.update(Text("\n").join(lines))

    def _collapsed(self, bindings: list[Binding]) -> list[Text]:
        modes = [b for b in bindings if "switch_mode" in b.action]
        rest = [self._item(b) for b in bindings if b not in modes]
        if not modes:
            return rest
        keys = [self.app.get_key_display(b).upper() for b in modes]
        span = Text.assemble((f"{keys[0]}-{keys[-1]}", "bold"), " ", t("footer.screens"))
        return [*rest, span]


def _pack(items: list[Text], width: int, force: bool = False) -> list[Text] | None:
    """Items packed into at most three lines of ``width`` cells (None if they don't fit)."""
    lines: list[Text] = [Text()]
    for item in items:
        line = lines[-1]
        gap = cell_len(_GAP) if line.plain else 0
        if line.plain and cell_len(line.plain) + gap + cell_len(item.plain) > width:
            if len(lines) == _MAX_LINES:
                return lines if force else None
            lines.append(Text())
            line, gap = lines[-1], 0
        if gap:
            line.append(_GAP)
        line.append_text(item)
    return lines
