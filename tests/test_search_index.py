"""The search-key index: computed once per write, kept current, rebuilt with progress."""

from __future__ import annotations

from typing import Any

import pytest

from app import store
from app.config import Paths
from app.services.search import index as search_index
from app.services.search import keys as search_keys
from app.services.search import lookup as search
from app.services.station import derived
from models.db import db
from models.places import Resident
from tests.search_support import Town


def _names(query: str) -> list[str]:
    return [h.title for h in search.search(query).hits if h.kind == "resident"]


def _keys() -> list[tuple[Any, ...]]:
    return sorted(db.execute_sql("SELECT key, ref_id, field FROM search_key").fetchall())


@pytest.fixture
def town(empty_station: Paths) -> Town:
    town = Town()
    town.resident("单雄信", "1-1-101", phone="13800001234")
    return town


def test_new_and_changed_residents_are_found_without_a_rebuild(town: Town) -> None:
    assert _names("sxx") == ["单雄信"]
    rid = town.resident("曾国藩", "1-1-102")
    assert _names("zgf") == ["曾国藩"]
    with store.write() as tx:
        tx.update(Resident, rid, name="欧阳修")
    assert _names("zgf") == [] and _names("oyx") == ["欧阳修"]
    with store.write() as tx:
        tx.delete(Resident, rid)
    assert _names("oyx") == []


def test_keys_are_not_computed_per_keystroke(town: Town, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    search.search("sxx")  # brings the index up to date

    def boom() -> None:
        raise AssertionError("pinyin computed while searching")

    monkeypatch.setattr(search_keys, "_pypinyin", boom)
    for typed in ("s", "sx", "sxx", "shanxiong", "单", "1234"):
        search.search(typed)
    assert _names("sxx") == ["单雄信"]


def test_imported_rows_get_keys_through_the_derived_registry(town: Town) -> None:
    search.search("sxx")
    hh = town.household("1", 1, "103")
    db.execute_sql("INSERT INTO resident (id, household_id, name, gender, id_number, phone, "
                   "relation, status, health_note, name_pinyin, name_initials, phone_tail, "
                   "deleted, field_clocks) VALUES ('imported-1', ?, '解缙', '', '', '', '', "
                   "'present', '', '', '', '', 0, '{}')", (hh,))
    derived.refresh({"resident": {"imported-1"}})
    assert ("xiejin", "imported-1", int(search_index.Field.PINYIN)) in _keys()
    assert _names("xj") == ["解缙"]


def test_rebuild_reports_progress_and_matches_the_incremental_index(town: Town) -> None:
    for i in range(30):
        town.resident(f"王秀{'兰梅英芳华'[i % 5]}{i}", f"2-1-{101 + i}")
    search.search("wx")
    incremental = _keys()
    seen: list[float] = []
    search_index.rebuild(lambda _step, fraction: seen.append(fraction))
    assert _keys() == incremental
    assert seen[-1] == 1.0 and seen == sorted(seen)
    assert not search_index.needs_rebuild()


def test_a_missing_index_is_rebuilt_on_first_search(town: Town) -> None:
    search.search("sxx")
    db.execute_sql("DELETE FROM search_key")  # as in a database just migrated (v1 -> v2)
    db.execute_sql("DELETE FROM local_state WHERE id = ?", (search_index.WATERMARK,))
    assert search_index.needs_rebuild()
    assert _names("sxx") == ["单雄信"]


@pytest.mark.parametrize("typed", ["wxl", "王", "5678"])
def test_lookups_use_the_index(town: Town, typed: str) -> None:
    search.search("x")
    q = search.parse(typed)
    key = q.digits[::-1] if q.digits else (q.hanzi or q.latin)
    plan = " ".join(str(r) for r in db.execute_sql(
        "EXPLAIN QUERY PLAN SELECT ref_id, field, key FROM search_key "
        "WHERE key >= ? AND key < ? AND field IN (2, 3)", (key, key + "\uffff")))
    assert "SEARCH search_key USING PRIMARY KEY (key>? AND key<?)" in plan


def test_an_older_database_gains_the_search_table_and_door_index(empty_station: Paths) -> None:
    from models import schema

    db.execute_sql("DROP TABLE search_key")
    db.execute_sql("DROP INDEX household_building_id_room")
    db.execute_sql("PRAGMA user_version = 1")
    db.close()
    schema.open_database(empty_station.database)
    tables = {r[0] for r in db.execute_sql("SELECT name FROM sqlite_master").fetchall()}
    assert {"search_key", "household_building_id_room"} <= tables
    assert schema.user_version() == schema.SCHEMA_VERSION == 2
    assert list((empty_station.database.parent / "backups").glob("*-v1-*"))


def test_a_phone_edit_keeps_the_name_keys_without_computing_pinyin(
        town: Town, monkeypatch: pytest.MonkeyPatch) -> None:
    rid = town.resident("解缙", "1-1-104", phone="13900005678")
    search.search("xj")
    before = [k for k in _keys() if k[1] == rid and k[2] != search_index.Field.PHONE]

    def boom() -> None:
        raise AssertionError("pinyin computed for a name that did not change")

    for cached in (search_index._name_keys, search_keys._lazy_cached, search_keys._readings):
        cached.cache_clear()  # as in a fresh process: no pinyin remembered
    monkeypatch.setattr(search_keys, "_pypinyin", boom)
    with store.write() as tx:
        tx.update(Resident, rid, phone="13911112222")
    search_index.refresh_residents({rid})
    after = [k for k in _keys() if k[1] == rid]
    assert [k for k in after if k[2] != search_index.Field.PHONE] == before
    assert ("22221111931", rid, int(search_index.Field.PHONE)) in after
    assert _names("xj") == ["解缙"] and _names("2222") == ["解缙"]
