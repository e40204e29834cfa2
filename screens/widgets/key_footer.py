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
        lines: list[Text] = [Text()]
        for binding in bindings:
            item = self._item(binding)
            line = lines[-1]
            extra = cell_len(_GAP) if line.plain else 0
            if line.plain and cell_len(line.plain) + extra + cell_len(item.plain) > width:
                if len(lines) == _MAX_LINES:
                    break
                lines.append(Text())
                line = lines[-1]
                extra = 0
            if extra:
                line.append(_GAP)
            line.append_text(item)
        self.update(Text("\n").join(lines))
