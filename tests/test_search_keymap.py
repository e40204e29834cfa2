"""One keymap: every binding labelled in both languages, no screen with two meanings for
one key, user overrides that reach the footer's bindings."""

from __future__ import annotations

from typing import Any

import pytest

from app import i18n, keymap


def _screens() -> list[type[Any]]:
    import app.hub_tui  # noqa: F401 - the street desk's screens too
    import app.tui  # noqa: F401 - registers every screen's bindings

    return list(keymap._registered)


def _app_keys(cls: type[Any]) -> list[str]:
    """The app-wide keys a screen lives with: the street desk's for the hub's own App and
    screens (screens/hub), the station desk's for every other screen."""
    from app.hub_tui import HubApp
    from app.tui import MulinApp

    if cls in (MulinApp, HubApp):
        return []
    hub = cls.__module__.startswith("screens.hub")
    return list((HubApp if hub else MulinApp).KEYS)


def _keys(binding_id: str) -> set[str]:
    return {k.strip() for k in keymap.KEYS[binding_id].key.split(",")}


def test_every_binding_of_every_screen_is_defined_and_labelled() -> None:
    for cls in _screens():
        for binding_id in cls.__dict__.get("KEYS", ()):
            assert binding_id in keymap.KEYS, (cls.__name__, binding_id)
            for lang in i18n.LANGS:
                assert f"keys.{binding_id}" in i18n.catalog(lang), (lang, binding_id)


def test_no_screen_gives_one_key_two_meanings() -> None:
    for cls in _screens():
        ids = list(cls.__dict__.get("KEYS", ())) + _app_keys(cls)
        seen: dict[str, str] = {}
        for binding_id in ids:
            for key in _keys(binding_id):
                other = seen.setdefault(key, binding_id)
                assert keymap.KEYS[other].action == keymap.KEYS[binding_id].action, \
                    f"{cls.__name__}: {key} is both {other} and {binding_id}"


def test_the_shared_verbs_keep_their_keys() -> None:
    assert {i: keymap.KEYS[i].key for i in ("nav.open", "nav.new", "nav.edit", "nav.back",
                                            "nav.filter", "nav.search")} == {
        "nav.open": "enter", "nav.new": "n", "nav.edit": "e", "nav.back": "escape",
        "nav.filter": "f", "nav.search": "slash"}
    assert keymap.KEYS["app.search"].priority  # works even with an input focused


class _FakeApp:
    def __init__(self) -> None:
        self.keymap: dict[str, str] = {}

    def set_keymap(self, km: dict[str, str]) -> None:
        self.keymap = km


def test_overrides_are_applied_and_reported() -> None:
    fake = _FakeApp()
    try:
        bad = keymap.apply(fake, {"nav.back": "escape,backspace", "app": {"search": "F6"},
                                  "nav.nothing": "x"})
        assert fake.keymap == {"nav.back": "escape,backspace", "app.search": "f6"}
        assert bad == ["nav.nothing"]
        assert keymap.effective("app.search") == "f6"
        assert keymap.effective("nav.open") == "enter"
        assert keymap.describe(("app.search",)) == [("f6", i18n.t("keys.app.search"))]
    finally:
        keymap.apply(fake, {})
    assert keymap.effective("app.search") == "ctrl+f"


@pytest.mark.parametrize("toml", [
    '[keymap]\n"nav.back" = "backspace"\n',
    '[keymap]\nnav.back = "backspace"\n',  # unquoted dotted key: a nested table in TOML
])
def test_settings_file_keymap_in_either_spelling(tmp_path: Any, toml: str) -> None:
    from app.config import Paths, load_settings

    paths = Paths(tmp_path)
    paths.settings.write_text(toml, encoding="utf-8")
    assert load_settings(paths).keymap == {"nav.back": "backspace"}
