"""One keymap for the whole app: the same key for the same action on every screen.

Each binding has an id; screens list the ids they use in ``KEYS``. Descriptions come
from the catalogs and are rebuilt by :func:`refresh` when the language is chosen.
Users override keys in ``settings.toml`` (``[keymap]`` id = "key"), applied through
Textual's ``App.set_keymap``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from textual.binding import Binding

from app.i18n import t


@dataclass(frozen=True)
class KeyDef:
    """A binding: default key(s), the action it runs, and whether the footer shows it."""

    key: str
    action: str
    show: bool = True
    priority: bool = False


#: Binding id -> definition. Labels are catalog keys ``keys.<id>``.
KEYS: dict[str, KeyDef] = {
    # app-wide
    "app.help": KeyDef("f1,question_mark", "app.help", show=True),
    "app.quit": KeyDef("q", "app.confirm_quit"),
    "app.quit_now": KeyDef("ctrl+q", "app.confirm_quit", show=False, priority=True),
    "app.palette": KeyDef("ctrl+p", "app.command_palette", show=False),
    "app.map": KeyDef("f2", "app.switch_mode('map')"),
    "app.ledger": KeyDef("f3", "app.switch_mode('ledger')"),
    "app.cases": KeyDef("f4", "app.switch_mode('cases')"),
    "app.mediation": KeyDef("f5", "app.switch_mode('mediation')"),
    # the same verbs on every screen
    "nav.open": KeyDef("enter", "open"),
    "nav.new": KeyDef("n", "new"),
    "nav.edit": KeyDef("e", "edit"),
    "nav.back": KeyDef("escape", "back"),
    "nav.filter": KeyDef("f", "filter"),
    "nav.search": KeyDef("slash", "search"),
    "nav.next_section": KeyDef("right_square_bracket,tab", "next_section", show=False),
    "nav.prev_section": KeyDef("left_square_bracket,shift+tab", "prev_section", show=False),
}


def define(binding_id: str, key: str, action: str, show: bool = True) -> None:
    """Add a screen-specific binding (called at import by the screen's module)."""
    KEYS.setdefault(binding_id, KeyDef(key, action, show))


def binding(binding_id: str) -> Binding:
    d = KEYS[binding_id]
    return Binding(d.key, d.action, t(f"keys.{binding_id}"), show=d.show, id=binding_id,
                   priority=d.priority)


_registered: list[type[Any]] = []


def bound(cls: type[Any]) -> type[Any]:
    """Class decorator: give a screen or widget the bindings named in its ``KEYS``."""
    _registered.append(cls)
    _apply(cls)
    return cls


def _apply(cls: type[Any]) -> None:
    ids: ClassVar[tuple[str, ...]] = cls.__dict__.get("KEYS", ())  # type: ignore[misc]
    cls.BINDINGS = [binding(i) for i in ids]
    cls._merged_bindings = cls._merge_bindings()


def refresh() -> None:
    """Rebuild every registered class's bindings (after the language is chosen)."""
    for cls in sorted(_registered, key=lambda c: len(c.__mro__)):
        _apply(cls)


def describe(ids: tuple[str, ...]) -> list[tuple[str, str]]:
    """(key, label) pairs for the help screen, generated from the keymap."""
    return [(KEYS[i].key.replace(",", " / "), t(f"keys.{i}")) for i in ids]
