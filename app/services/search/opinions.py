"""Residents' opinions 居民意见 in the search index: found by words of their text or their
number (the first characters of the record id, as the history shows it).

Keys live in the same station-local ``search_key`` table as residents' (kind
``opinion``), kept current by :mod:`app.services.search.index` from the change log and
after imports. A text key is ``~`` + the text from one position on (at most
:data:`KEY_CHARS` characters), so any run of words typed is a prefix of one key; a
number key is ``#`` + the id's first 8 characters. Neither prefix can begin a
resident's key. Long digit runs (ID numbers, phones) are left out of the keys, so a
role that sees them masked cannot find an opinion by them either; the hit's text is
shown through :func:`app.services.trust.masking.shown_text` for the opinion's grid.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any, cast

from app.services.search.hits import LIMIT, PARTIAL, PREFIX, Group, Hit
from app.services.search.query import Query
from app.services.trust.masking import Scope, shown_text
from models.db import db
from models.search import SearchKey
from models.visits import Opinion

KIND = "opinion"
TEXT, NUMBER = 11, 12  # ``search_key.field`` (residents use 0-10: index.Field)
KEY_CHARS = 16
NUMBER_CHARS = 8
#: Opinions indexed (a local flag: stations indexed before opinions were get them once).
FLAG = "search.opinions"
_LONG_DIGITS = re.compile(r"[0-9]{7,}[0-9x]*")
_NUMBER = re.compile(r"[0-9a-f]{6,8}")
_TABLE = SearchKey._meta.table_name
TABLE = Opinion._meta.table_name


def _plain(text: str) -> str:
    """Lowercase letters, digits and 汉字 only; long digit runs (personal numbers) cut."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = "".join(c for c in text if c.isalnum())
    return _LONG_DIGITS.sub("", text)


def keys(opinion_id: str, content: str) -> set[tuple[str, int]]:
    """Every (key, field) an opinion is found by."""
    text = _plain(content)
    out = {("~" + text[i:i + KEY_CHARS], TEXT) for i in range(len(text))}
    return out | {("#" + opinion_id[:NUMBER_CHARS].lower(), NUMBER)}


def _rows(opinions: Iterable[tuple[str, str]]) -> list[tuple[str, str, int, str]]:
    return [(key, oid, field, KIND) for oid, content in opinions
            for key, field in keys(oid, content)]


def _live(ids: list[str] | None = None, after: str = "", limit: int = 0) -> list[Any]:
    query = Opinion.select(Opinion.id, Opinion.content).where(
        (Opinion.deleted == False) & (Opinion.id > after))  # noqa: E712
    if ids is not None:
        query = query.where(Opinion.id.in_(ids))
    if limit:
        query = query.order_by(Opinion.id).limit(limit)
    return list(cast(Any, query.tuples()))


def _insert(rows: list[tuple[str, str, int, str]]) -> None:
    if rows:
        db.cursor().executemany(
            f'INSERT OR IGNORE INTO "{_TABLE}" (key, ref_id, field, kind) VALUES (?, ?, ?, ?)',
            rows)


def refresh(ids: Iterable[str]) -> None:
    """Re-key these opinions (deleted ones lose their keys). A derived-cache write."""
    wanted = sorted(set(ids))
    with db.atomic():
        for i in range(0, len(wanted), 500):
            chunk = wanted[i:i + 500]
            SearchKey.delete().where(SearchKey.ref_id.in_(chunk)
                                     & (SearchKey.kind == KIND)).execute()
            _insert(_rows(_live(chunk)))


def rebuild() -> int:
    """Key every live opinion, a batch per transaction; returns the number of keys."""
    with db.atomic():
        SearchKey.delete().where(SearchKey.kind == KIND).execute()
    last, count = "", 0
    while batch := _live(after=last, limit=1000):
        rows = _rows(batch)
        with db.atomic():
            _insert(rows)
        count, last = count + len(rows), batch[-1][0]
    return count


# -- finding -------------------------------------------------------------------------
def _wanted(q: Query) -> tuple[str, int] | None:
    """The key prefix a query looks opinions up by, or None."""
    if len(q.hanzi) >= 2:
        return "~" + q.hanzi[:KEY_CHARS], TEXT
    word = "".join(q.text.split())
    if _NUMBER.fullmatch(word) and any(c.isdigit() for c in word):
        return "#" + word, NUMBER
    return None


def hits(q: Query, limit: int = LIMIT) -> Group | None:
    """Opinions whose text holds the typed words (or whose number starts so)."""
    wanted = _wanted(q)
    if wanted is None:
        return None
    prefix, field = wanted
    found = (SearchKey.select(SearchKey.ref_id, SearchKey.key)
             .where((SearchKey.key >= prefix) & (SearchKey.key < prefix + "\uffff")
                    & (SearchKey.field == field) & (SearchKey.kind == KIND))
             .limit(limit * 20).tuples())
    ranks: dict[str, int] = {}
    for oid, _key in cast(Any, found):
        ranks.setdefault(oid, PREFIX if field == NUMBER else PARTIAL)
    if field == TEXT:  # the text begins with the words: a better hit
        for oid, content in _live(list(ranks)):
            if _plain(content).startswith(prefix[1:]):
                ranks[oid] = PREFIX
    ordered = sorted(ranks, key=lambda o: (ranks[o], o))[: limit + 1]
    grids = _grids(ordered[:limit])
    found_views = sorted(_views(ordered[:limit]),  # best first, then newest
                         key=lambda v: (ranks[v.id], -v.collected_on.toordinal(), v.id))
    listed = [_hit(v, grids.get(v.id, ""), ranks[v.id]) for v in found_views]
    return Group(KIND, listed, more=len(ordered) > limit) if listed else None


def _grids(ids: list[str]) -> dict[str, str]:
    return {o.id: o.grid_id or "" for o in Opinion.select(Opinion.id, Opinion.grid)
            .where(Opinion.id.in_(ids))}


def _views(ids: list[str]) -> list[Any]:
    from app.services.civic.opinions import views  # the one way an opinion reads

    return views(ids)


def _hit(v: Any, grid_id: str, rank: int) -> Hit:
    text = shown_text(" ".join((v.content or "").split()), scope=Scope(grid_id=grid_id))
    place = "-".join(x for x in (v.building, v.place) if x)  # 12-1-801: the door
    return Hit(KIND, v.id, v.id[:NUMBER_CHARS], text, rank, building_id=v.building_id or "",
               household_id=v.household_id or "",
               extra={"date": v.collected_on.isoformat(), "channel": v.channel,
                      "place": place})
