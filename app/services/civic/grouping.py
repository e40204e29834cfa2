"""Suggesting which opinions belong together (归类): same building or category, and
similar text by characters *and* by pinyin — so 电梯 and a mistyped 电题 still meet.

Similarity is difflib's ratio (standard library, no new dependency) on the normalised
text and on its toneless pinyin, whichever is higher; pinyin comes from pypinyin, imported
lazily. The operator confirms every grouping (:mod:`app.services.civic.items`).
"""

from __future__ import annotations

import re
from contextlib import nullcontext
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any, cast

from app.services.civic import items as items_service
from app.services.civic.opinions import ungrouped
from models.db import db
from models.visits import LivelihoodItem, LivelihoodLink, Opinion

#: Below this a candidate is not suggested.
THRESHOLD = 0.5
#: Boilerplate residents write around the matter itself ("希望解决…问题").
_FILLER = re.compile("|".join((
    "希望", "建议", "能否", "可以", "请", "尽快", "解决", "处理", "协调", "帮忙", "问题", "一下",
    "社区", "小区", "我们", "居民", "反映", "很多年", "好久", "一直", "的", "了", "吗", "呢", "啊",
    r"[，,。.！!？?、；;：:\s]")))


@lru_cache(maxsize=4096)
def _core(text: str) -> str:
    return _FILLER.sub("", text) or text


@lru_cache(maxsize=4096)
def _pinyin(text: str) -> tuple[str, ...]:
    """Toneless syllables, compared as whole units (so shared letters do not count)."""
    from pypinyin import lazy_pinyin  # lazy: the pinyin tables are large

    return tuple(lazy_pinyin(text))


#: How much a short text wholly found inside a longer one counts (containment, not equality).
CONTAINED = 0.85


def _score(a: tuple[str, ...] | str, b: tuple[str, ...] | str) -> float:
    """difflib's ratio, or — discounted — the share of the shorter text found in the other
    (so 充电桩 inside 小区充电桩不够用 still counts)."""
    matcher = SequenceMatcher(None, a, b)
    shared = sum(block.size for block in matcher.get_matching_blocks())
    shorter = min(len(a), len(b))
    inside = CONTAINED * shared / shorter if shorter >= 2 else 0.0
    return max(matcher.ratio(), inside)


def similarity(a: str, b: str) -> float:
    """0..1: the better of the character score and the pinyin score of the cores."""
    ca, cb = _core(a), _core(b)
    chars = _score(ca, cb)
    if chars >= 0.99:
        return 1.0
    return round(max(chars, _score(_pinyin(ca), _pinyin(cb))), 3)


@dataclass
class Suggestion:
    """A candidate for the opinion at hand: an existing item, or another loose opinion."""

    kind: str  # item, opinion
    id: str
    text: str
    score: float
    same_building: bool


def _item_texts(item_ids: list[str]) -> dict[str, list[str]]:
    texts: dict[str, list[str]] = {}
    rows = (LivelihoodLink.select(LivelihoodLink.item, Opinion.content).join(Opinion)
            .where(LivelihoodLink.item.in_(item_ids)
                   & (LivelihoodLink.deleted == False)).tuples())  # noqa: E712
    for item_id, content in cast(Any, rows):
        texts.setdefault(item_id, []).append(content)
    return texts


def suggest(opinion_id: str, limit: int = 8) -> list[Suggestion]:
    """Items and loose opinions like this one, best first (items before opinions on a tie)."""
    me = Opinion.get_by_id(opinion_id)
    out = _item_suggestions(me) + _opinion_suggestions(me)
    out.sort(key=lambda s: (-s.score, s.kind != "item", not s.same_building, s.id))
    return out[:limit]


def suggest_in_thread(opinion_id: str, limit: int = 8) -> list[Suggestion]:
    """:func:`suggest` from a worker thread: its own short-lived connection."""
    with db.connection_context() if db.is_closed() else nullcontext():
        return suggest(opinion_id, limit)


def _item_suggestions(me: Opinion) -> list[Suggestion]:
    live = [i for i in items_service.ranked(me.community_id) if i.status in items_service.OPEN]
    held = {x.item_id for x in LivelihoodLink.select(LivelihoodLink.item).where(
        (LivelihoodLink.opinion == me.id) & (LivelihoodLink.deleted == False))}  # noqa: E712
    texts = _item_texts([i.id for i in live])
    out = []
    for row in live:
        if row.id in held:
            continue
        score = max([similarity(me.content, row.title),
                     *(similarity(me.content, x) for x in set(texts.get(row.id, [])))])
        if score >= THRESHOLD:
            out.append(Suggestion("item", row.id, row.title, score,
                                  row.building_id == me.building_id))
    return out


def _opinion_suggestions(me: Opinion) -> list[Suggestion]:
    loose = [i for i in ungrouped(me.community_id) if i != me.id]
    out = []
    for other in Opinion.select().where(Opinion.id.in_(loose)):
        same_place = other.building_id == me.building_id
        if not same_place and other.category != me.category:
            continue
        score = similarity(me.content, other.content)
        if score >= THRESHOLD:
            out.append(Suggestion("opinion", other.id, other.content, score, same_place))
    return out


def item_title(item_id: str) -> str:
    return str(LivelihoodItem.get_by_id(item_id).title)


def suggested_title(text: str) -> str:
    """A new item's title proposed from an opinion: its core, without the boilerplate."""
    return _core(text)[:20]
