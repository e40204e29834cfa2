"""The search-key index: built once, kept current from the change log, rebuilt on demand.

Keys are computed once per write, never per keystroke. Whatever wrote a resident — a
service, the demo generator, a bundle import — logged a :class:`models.sync.Change`;
:func:`ensure_current` re-keys the residents changed since the last position it saw
(a cheap ``max(rowid)`` check when nothing changed). Imports also reach
:func:`refresh_residents` through the derived-cache registry (unless the index is to be
rebuilt anyway: none yet, or a full import moved the log past :data:`REBUILD_OVER`); a
resident whose name did not change keeps its name keys (no pinyin is computed again).
The index is station local (never synced) and can always be rebuilt from content with
:func:`rebuild`. Opinions are keyed the same way, by words of their text (:mod:`.opinions`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from enum import IntEnum
from functools import lru_cache
from typing import Any, cast

from app.services.search import opinions
from app.services.search.keys import is_han, name_syllables, name_variants, split_surname
from app.services.station import derived
from models.db import db
from models.places import Resident
from models.search import SearchKey
from models.sync import LocalState

Progress = Callable[[str, float], None]

WATERMARK = "search.watermark"
#: More changed residents than this since the last look: rebuild instead of patching.
REBUILD_OVER = 20000
_BATCH = 1000
_TABLE = SearchKey._meta.table_name


class Field(IntEnum):
    """What a key was made from (ranking depends on it)."""

    NAME = 0  # 王秀兰
    GIVEN = 1  # 秀兰
    PINYIN = 2  # wangxiulan (the proper reading)
    INITIALS = 3  # wxl
    GIVEN_PINYIN = 4  # xiulan
    GIVEN_INITIALS = 5  # xl
    ALT_PINYIN = 6  # another reading of a polyphonic name
    ALT_INITIALS = 7
    PHONE = 8  # phone digits reversed: a tail is a prefix
    ID_HEAD = 9  # ID number from the front (region, birth date)
    ID_TAIL = 10  # ID number reversed


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


@lru_cache(maxsize=65536)
def _name_keys(name: str) -> frozenset[tuple[str, int]]:
    """Keys of a name (cached: a street has many 王秀兰 and fewer distinct names)."""
    name = "".join(name.split())
    if not name:
        return frozenset()
    keys: set[tuple[str, int]] = {(name.lower(), Field.NAME)}
    surname, given = split_surname(name)
    if given:
        keys.add((given.lower(), Field.GIVEN))
    if not any(is_han(c) for c in name):
        return frozenset(keys | {("".join(c for c in name.lower() if c.isalnum()),
                                  Field.PINYIN)})
    n_surname = len(name_syllables(surname)) if surname else 0
    for i, syllables in enumerate(name_variants(name)):
        py, ini = Field.PINYIN if i == 0 else Field.ALT_PINYIN, \
            Field.INITIALS if i == 0 else Field.ALT_INITIALS
        keys.add(("".join(syllables), py))
        keys.add(("".join(s[0] for s in syllables), ini))
        rest = syllables[n_surname:]
        if rest:
            keys.add(("".join(rest), Field.GIVEN_PINYIN))
            keys.add(("".join(s[0] for s in rest), Field.GIVEN_INITIALS))
    return frozenset(keys)


def resident_keys(name: str, phone: str, id_number: str) -> set[tuple[str, int]]:
    """Every (key, field) a resident is found by."""
    return {(k, int(f)) for k, f in _name_keys(name) if k} | _other_keys(phone, id_number)


def _other_keys(phone: str, id_number: str) -> set[tuple[str, int]]:
    """The keys of a phone number and an ID number."""
    keys: set[tuple[str, int]] = set()
    digits = _digits(phone)
    if len(digits) >= 4:
        keys.add((digits[::-1], Field.PHONE))
    ident = "".join(c for c in id_number.lower() if c.isalnum())
    if len(ident) >= 4:
        keys.add((ident, Field.ID_HEAD))
        keys.add((ident[::-1], Field.ID_TAIL))
    return {(k, int(f)) for k, f in keys if k}


# -- the table -------------------------------------------------------------------
def _insert(rows: list[tuple[str, str, int, str]]) -> None:
    if rows:
        db.cursor().executemany(
            f'INSERT OR IGNORE INTO "{_TABLE}" (key, ref_id, field, kind) VALUES (?, ?, ?, ?)',
            rows)


def _key_rows(residents: Iterable[tuple[str, str, str, str]],
             held: dict[str, frozenset[tuple[str, int]]] | None = None,
             ) -> list[tuple[str, str, int, str]]:
    """The key rows of these residents; ``held``: name keys already computed, per
    resident, used when its name still gives the same NAME key."""
    out = []
    for rid, name, phone, ident in residents:
        before = (held or {}).get(rid)
        if before is not None and (_name_key(name or ""), int(Field.NAME)) in before:
            keys = _other_keys(phone or "", ident or "") | before
        else:
            keys = resident_keys(name or "", phone or "", ident or "")
        out += [(key, rid, field, "resident") for key, field in keys]
    return out


def _name_key(name: str) -> str:
    return "".join(name.split()).lower()


def _residents(ids: list[str] | None = None) -> Iterator[tuple[str, str, str, str]]:
    query = (Resident.select(Resident.id, Resident.name, Resident.phone, Resident.id_number)
             .where(Resident.deleted == False))  # noqa: E712
    if ids is not None:
        query = query.where(Resident.id.in_(ids))
    return iter(cast(Any, query.tuples()))


def _chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def refresh_residents(ids: Iterable[str]) -> None:
    """Re-key these residents (deleted ones lose their keys). A derived-cache write."""
    with db.atomic():
        for chunk in _chunks(sorted(set(ids))):
            kept = _name_keys_held(chunk)
            SearchKey.delete().where(SearchKey.ref_id.in_(chunk)).execute()
            _insert(_key_rows(_residents(chunk), kept))


_OWN_KEYS = (Field.PHONE, Field.ID_HEAD, Field.ID_TAIL)


def _name_keys_held(chunk: list[str]) -> dict[str, frozenset[tuple[str, int]]]:
    """Per resident, the name keys the index holds now, under its NAME key (a phone or ID
    edit keeps them: no pinyin is computed for a name that did not change)."""
    marks = ",".join("?" for _ in chunk)
    rows = db.execute_sql(
        f'SELECT ref_id, key, field FROM "{_TABLE}" WHERE ref_id IN ({marks}) '
        f"AND kind = 'resident' AND field NOT IN ({','.join(str(int(f)) for f in _OWN_KEYS)})",
        chunk)
    found: dict[str, set[tuple[str, int]]] = {}
    for ref_id, key, field in rows:
        found.setdefault(ref_id, set()).add((key, int(field)))
    out = {}
    for ref_id, keys in found.items():
        names = [k for k, f in keys if f == Field.NAME]
        if len(names) == 1:
            out[ref_id] = frozenset(keys)
    return out


@derived.register("resident")
def _after_import(ids: set[str]) -> None:
    if needs_rebuild():  # no index yet, or the log moved past REBUILD_OVER (a full
        return  # import): the next search rebuilds the whole index anyway
    refresh_residents(ids)


@derived.register("opinion")
def _opinions_after_import(ids: set[str]) -> None:
    if not needs_rebuild():  # as for residents: a rebuild is coming anyway
        opinions.refresh(ids)


# -- keeping current ----------------------------------------------------------------
def _log_top() -> int:
    return int(db.execute_sql("SELECT coalesce(max(rowid), 0) FROM change").fetchone()[0])


def _watermark() -> int | None:
    row = LocalState.get_or_none(LocalState.id == WATERMARK)
    return int(row.value) if row else None


def _set_watermark(value: int) -> None:
    LocalState.replace(id=WATERMARK, value=str(value)).execute()


def _changed(since: int) -> tuple[set[str], set[str]]:
    """Residents and opinions written since ``since`` (one pass over the new log rows)."""
    rows = db.execute_sql(
        'SELECT DISTINCT "table", row_id FROM change WHERE rowid > ? AND "table" IN (?, ?)',
        (since, Resident._meta.table_name, opinions.TABLE))
    found: dict[str, set[str]] = {Resident._meta.table_name: set(), opinions.TABLE: set()}
    for table, row_id in rows:
        found[table].add(row_id)
    return found[Resident._meta.table_name], found[opinions.TABLE]


def needs_rebuild() -> bool:
    """True when the index is missing or too far behind to patch (show progress)."""
    mark = _watermark()
    top = _log_top()
    return mark is None or mark > top or top - mark > REBUILD_OVER


def ensure_current(progress: Progress | None = None) -> None:
    """Bring the index up to the change log: patch what changed, or rebuild."""
    if needs_rebuild():
        rebuild(progress)
        return
    if LocalState.get_or_none(LocalState.id == opinions.FLAG) is None:
        _index_opinions()  # a station indexed before opinions were: once
    mark, top = _watermark() or 0, _log_top()
    if top == mark:
        return
    changed, ideas = _changed(mark)
    with db.atomic():
        if changed:
            refresh_residents(changed)
        if ideas:
            opinions.refresh(ideas)
        _set_watermark(top)


def _index_opinions() -> int:
    keys = opinions.rebuild()
    LocalState.replace(id=opinions.FLAG, value="1").execute()
    return keys


def rebuild(progress: Progress | None = None) -> int:
    """Rebuild the whole index for this station; returns the number of keys.

    Batches commit one by one, so a long rebuild never holds the write lock for long
    (a form saved meanwhile waits a batch, not the whole rebuild); the watermark is
    dropped first and set last, so an interrupted rebuild is simply done again.
    """
    total = max(1, Resident.select().where(Resident.deleted == False).count())  # noqa: E712
    with db.atomic():
        top = _log_top()
        LocalState.delete().where(LocalState.id.in_((WATERMARK, opinions.FLAG))).execute()
        SearchKey.delete().execute()
    done = keys = 0
    for batch in _batches():
        with db.atomic():
            keys += _flush(batch)
        done += len(batch)
        if progress:
            progress("residents", min(1.0, done / total))
    keys += _index_opinions()
    with db.atomic():
        _set_watermark(top)
    if progress:
        progress("done", 1.0)
    return keys


Row = tuple[str, str, str, str]


def _batches() -> Iterator[list[Row]]:
    """Every live resident (id, name, phone, ID number), by id, a batch at a time."""
    last = ""
    while True:
        query = (Resident.select(Resident.id, Resident.name, Resident.phone, Resident.id_number)
                 .where((Resident.deleted == False) & (Resident.id > last))  # noqa: E712
                 .order_by(Resident.id).limit(_BATCH))
        batch: list[Row] = list(cast(Any, query.tuples()))
        if not batch:
            return
        yield batch
        last = batch[-1][0]


def _flush(batch: list[Row]) -> int:
    rows = _key_rows(batch)
    _insert(rows)
    return len(rows)


def rebuild_in_thread(progress: Progress | None = None) -> int:
    """:func:`rebuild` from a worker thread (its own connection)."""
    with db.connection_context():
        return rebuild(progress)
