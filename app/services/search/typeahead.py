"""Type-to-pick in short lists (类别, 承办人, commands): one matcher for 汉字, pinyin and initials.

A label such as ``有求必应 · 停电`` is matched by ``停电``, ``tingdian``, ``td``, ``ting``,
or any extra keyword the caller gives (a code such as ``110``, English words). Rank 0 is
a match at the start of a word, 1 a match inside one; None means no match.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import TypeVar

from app.services.search.keys import is_han, normalise_latin, phrase_syllables

T = TypeVar("T")
_WORDS = re.compile(r"[\s·,，/()（）\[\]【】:：\-]+")


@lru_cache(maxsize=4096)
def _keys(label: str) -> tuple[str, ...]:
    """The words of ``label``, and of each Chinese run its pinyin and its initials."""
    out: list[str] = []
    for word in (w for w in _WORDS.split(label.lower()) if w):
        out.append(word)
        if any(is_han(c) for c in word):
            syllables = phrase_syllables(word)
            out += ["".join(syllables), "".join(s[:1] for s in syllables)]
    whole = [w for w in _WORDS.split(label.lower()) if w]
    if len(whole) > 1:
        syllables = [s for w in whole for s in phrase_syllables(w)]
        out.append("".join(s[:1] for s in syllables))
    return tuple(out)


def warm() -> None:
    """Load the pinyin tables ahead of the first keystroke (call from a worker thread)."""
    _keys("受理 停电")


def rank(typed: str, label: str, keywords: Iterable[str] = ()) -> int | None:
    """How well ``typed`` matches ``label`` (or one of ``keywords``); None = not at all."""
    text = normalise_latin(typed.strip()).replace(" ", "")
    if not text:
        return 0
    keys = [*_keys(label), *(k.lower() for k in keywords)]
    if any(k.startswith(text) for k in keys):
        return 0
    if text in label.lower() or any(text in k for k in keys):
        return 1
    return None


def narrow(typed: str, items: Sequence[T], label: Callable[[T], str],
           keywords: Callable[[T], Iterable[str]] | None = None) -> list[T]:
    """The items ``typed`` matches, best first (stable within a rank)."""
    scored = []
    for i, item in enumerate(items):
        r = rank(typed, label(item), keywords(item) if keywords else ())
        if r is not None:
            scored.append((r, i, item))
    return [item for _, _, item in sorted(scored, key=lambda x: (x[0], x[1]))]

