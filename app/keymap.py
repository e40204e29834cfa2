"""One keymap for the whole app: the same key for the same action on every screen.

Each binding has an id; screens list the ids they use in ``KEYS``. Descriptions come
from the catalogs and are rebuilt by :func:`refresh` when the language is chosen.
Users override keys in ``settings.toml``::

    [keymap]
    "nav.back" = "escape,backspace"
    "app.search" = "ctrl+k"

(a dotted id written without quotes, ``nav.back = "…"``, works too). The overrides go
through Textual's ``App.set_keymap`` (see :func:`apply`), and the help screen shows the
*effective* keys (:func:`effective`, :func:`describe`), so what it says is what works.

Conventions (every screen that has the action uses these ids, never its own key):

=================  ==================  ==============================================
id                 default             meaning
=================  ==================  ==============================================
nav.open           Enter               open the highlighted record
nav.new            n                   new record of the kind listed
nav.edit           e                   edit the highlighted / shown record
nav.delete         Delete              delete (tombstone) after a confirmation
nav.save           Ctrl+S              save a form (Enter in the last field also saves)
nav.back           Esc                 back / close / cancel
nav.filter         f                   filter the list
nav.search         /                   search (on lists; falls back to global search)
nav.next_section   ] / Tab             next section or panel
nav.prev_section   [ / Shift+Tab       previous section or panel
nav.refresh        r                   reload from the database
app.search         Ctrl+F              find anyone / anything, from anywhere
app.help           F1 / ?              help for this screen
F2…F5              map, ledger, cases, mediation
=================  ==================  ==============================================
"""

from __future__ import annotations

from collections.abc import Mapping
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
    "app.search": KeyDef("ctrl+f", "app.search", priority=True),
    "app.quit": KeyDef("q", "app.confirm_quit"),
    "app.quit_now": KeyDef("ctrl+q", "app.confirm_quit", show=False, priority=True),
    "app.palette": KeyDef("ctrl+p", "app.command_palette", show=False),
    "app.map": KeyDef("f2", "app.switch_mode('map')"),
    "app.ledger": KeyDef("f3", "app.switch_mode('ledger')"),
    "app.cases": KeyDef("f4", "app.switch_mode('cases')"),
    "app.mediation": KeyDef("f5", "app.switch_mode('mediation')"),
    "app.care": KeyDef("f6", "app.switch_mode('care')"),
    "app.dashboard": KeyDef("f7", "app.switch_mode('dashboard')"),
    "app.handover": KeyDef("f8", "app.switch_mode('handover')"),
    "app.intake": KeyDef("f9", "app.intake", priority=True),
    "app.sync": KeyDef("f10", "app.switch_mode('sync')"),
    # the ranked 民生清单 (also in the palette); kept out of the footer's F2-F10 run
    "app.civic": KeyDef("f11", "app.switch_mode('civic')", show=False),
    "app.lock": KeyDef("ctrl+l", "app.lock", priority=True),  # over dialogs, inputs
    "app.history": KeyDef("ctrl+y", "app.history", show=False),
    # the same verbs on every screen
    "nav.open": KeyDef("enter", "open"),
    "nav.new": KeyDef("n", "new"),
    "nav.edit": KeyDef("e", "edit"),
    "nav.delete": KeyDef("delete", "delete"),
    "nav.save": KeyDef("ctrl+s", "save"),
    "nav.back": KeyDef("escape", "back"),
    "nav.filter": KeyDef("f", "filter"),
    "nav.search": KeyDef("slash", "search"),
    "nav.refresh": KeyDef("r", "refresh", show=False),
    "nav.next_section": KeyDef("right_square_bracket,tab", "next_section", show=False),
    "nav.prev_section": KeyDef("left_square_bracket,shift+tab", "prev_section", show=False),
}

#: The user's overrides (binding id -> keys), as applied by :func:`apply`.
_overrides: dict[str, str] = {}


def define(binding_id: str, key: str, action: str, show: bool = True,
           priority: bool = False) -> None:
    """Add a screen-specific binding (called at import by the screen's module).

    ``priority``: the binding wins over the focused widget's own use of the key (e.g.
    Up/Down in a screen whose Input has focus)."""
    KEYS.setdefault(binding_id, KeyDef(key, action, show, priority))


def binding(binding_id: str, hide: bool = False) -> Binding:
    """The Textual binding for an id; ``hide`` keeps it out of the footer (a class lists
    such ids in ``QUIET_KEYS``, e.g. the app's ``/`` next to its Ctrl+F)."""
    d = KEYS[binding_id]
    return Binding(d.key, d.action, t(f"keys.{binding_id}"), show=d.show and not hide,
                   id=binding_id, priority=d.priority)


_registered: list[type[Any]] = []


def bound(cls: type[Any]) -> type[Any]:
    """Class decorator: give a screen or widget the bindings named in its ``KEYS``."""
    _registered.append(cls)
    _apply(cls)
    return cls


def _apply(cls: type[Any]) -> None:
    ids: ClassVar[tuple[str, ...]] = cls.__dict__.get("KEYS", ())  # type: ignore[misc]
    quiet: tuple[str, ...] = cls.__dict__.get("QUIET_KEYS", ())
    cls.BINDINGS = [binding(i, hide=i in quiet) for i in ids]
    cls._merged_bindings = cls._merge_bindings()


def refresh() -> None:
    """Rebuild every registered class's bindings (after the language is chosen)."""
    for cls in sorted(_registered, key=lambda c: len(c.__mro__)):
        _apply(cls)


# -- user overrides ---------------------------------------------------------------------
def flatten(raw: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """``{"nav": {"back": "x"}}`` (an unquoted dotted TOML key) -> ``{"nav.back": "x"}``."""
    out: dict[str, str] = {}
    for name, value in raw.items():
        full = f"{prefix}{name}"
        if isinstance(value, Mapping):
            out.update(flatten(value, f"{full}."))
        else:
            out[full] = ",".join(value) if isinstance(value, list | tuple) else str(value)
    return out


def _clean_keys(keys: str) -> str:
    return ",".join(k.strip().lower() for k in keys.split(",") if k.strip())


def check(overrides: Mapping[str, Any]) -> tuple[dict[str, str], list[str]]:
    """(usable overrides, ids that are not bindings or have no key) for a user's keymap."""
    usable: dict[str, str] = {}
    bad: list[str] = []
    for binding_id, keys in flatten(overrides).items():
        cleaned = _clean_keys(keys)
        if binding_id in KEYS and cleaned:
            usable[binding_id] = cleaned
        else:
            bad.append(binding_id)
    return usable, bad


def apply(app: Any, overrides: Mapping[str, Any]) -> list[str]:
    """Install the user's overrides on ``app`` (``App.set_keymap``); returns rejected ids."""
    usable, bad = check(overrides)
    if usable or _overrides:
        app.set_keymap(usable)
    _overrides.clear()
    _overrides.update(usable)
    return bad


def effective(binding_id: str) -> str:
    """The key(s) that run a binding now: the user's override, else the default."""
    return _overrides.get(binding_id) or KEYS[binding_id].key


def overrides() -> dict[str, str]:
    return dict(_overrides)


def display(keys: str, app: Any | None = None) -> str:
    """``f1,question_mark`` -> ``F1 / ?`` (as the footer writes keys, when ``app`` is given)."""
    shown = []
    for key in keys.split(","):
        if app is not None:
            shown.append(app.get_key_display(Binding(key, "")))
        else:
            shown.append(key)
    return " / ".join(shown)


def describe(ids: tuple[str, ...], app: Any | None = None) -> list[tuple[str, str]]:
    """(effective keys, label) pairs for the help screen, generated from the keymap."""
    return [(display(effective(i), app), t(f"keys.{i}")) for i in ids if i in KEYS]
