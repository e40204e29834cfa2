"""Message catalogs: Chinese by default, English second. No screen writes text directly.

Catalogs live in ``app/locale/<lang>/*.json`` (one file per area, merged); keys are
dotted (``cases.title``). A missing key shows the key itself, so it is noticed.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

LANGS = ("zh", "en")
_DIR = Path(__file__).parent / "locale"
_lang = "zh"


@cache
def catalog(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted((_DIR / lang).glob("*.json")):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def set_lang(lang: str) -> None:
    global _lang
    if lang not in LANGS:
        raise ValueError(lang)
    _lang = lang


def lang() -> str:
    return _lang


def t(key: str, /, **params: Any) -> str:
    """The text for ``key`` in the current language, formatted with ``params``."""
    text = catalog(_lang).get(key) or catalog("zh").get(key) or key
    return text.format(**params) if params else text


def has(key: str) -> bool:
    return key in catalog(_lang)
