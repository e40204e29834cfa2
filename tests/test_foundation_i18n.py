"""Catalogs: both languages have the same keys; every binding has a label."""

from __future__ import annotations

from app import i18n, keymap


def test_chinese_and_english_catalogs_have_the_same_keys() -> None:
    zh, en = set(i18n.catalog("zh")), set(i18n.catalog("en"))
    assert zh - en == set(), f"missing in English: {sorted(zh - en)[:10]}"
    assert en - zh == set(), f"missing in Chinese: {sorted(en - zh)[:10]}"


def test_every_key_binding_has_a_label_in_both_languages() -> None:
    import app.tui  # noqa: F401  (imports every screen, which define their bindings)

    for lang in i18n.LANGS:
        missing = [k for k in keymap.KEYS if f"keys.{k}" not in i18n.catalog(lang)]
        assert missing == [], f"{lang}: {missing}"


def test_switching_language_changes_the_text() -> None:
    i18n.set_lang("en")
    assert i18n.t("screen.cases") == "Cases"
    i18n.set_lang("zh")
    assert i18n.t("screen.cases") == "诉求案件"
