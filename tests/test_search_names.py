"""Pinyin matching on real-world tricky names, and the ranking order."""

from __future__ import annotations

import pytest

from app.config import Paths
from app.services.search import lookup as search
from app.services.search.keys import name_keys, name_variants, segment
from tests.search_support import Town


@pytest.mark.parametrize(("name", "full", "initials"), [
    ("单雄信", "shanxiongxin", "sxx"),  # 单 as a surname is shan, not dan
    ("曾国藩", "zengguofan", "zgf"),  # not ceng
    ("区志强", "ouzhiqiang", "ozq"),  # not qu
    ("仇英", "qiuying", "qy"),  # not chou
    ("解缙", "xiejin", "xj"),  # not jie
    ("查良镛", "zhaliangyong", "zly"),  # not cha
    ("朴树", "piaoshu", "ps"),
    ("欧阳修", "ouyangxiu", "oyx"),  # compound surnames stay whole
    ("司马光", "simaguang", "smg"),
    ("长孙无忌", "zhangsunwuji", "zswj"),  # 长 zhang, not chang
    ("尉迟恭", "yuchigong", "ycg"),
    ("吕秀兰", "lvxiulan", "lxl"),
])
def test_surname_readings(name: str, full: str, initials: str) -> None:
    assert name_keys(name) == (full, initials)


@pytest.mark.parametrize(("name", "also"), [
    ("单雄信", "danxiongxin"),  # the everyday reading, for who does not know
    ("曾国藩", "cengguofan"),
    ("解缙", "jiejin"),
    ("张行健", "zhanghangjian"),  # a polyphonic given name: xing / hang
    ("李乐", "liyue"),  # le / yue
    ("吕秀兰", "luxiulan"),  # ü typed as u
])
def test_other_readings_are_indexed_too(name: str, also: str) -> None:
    assert also in ["".join(v) for v in name_variants(name)]
    assert "".join(name_variants(name)[0]) == name_keys(name)[0]


@pytest.mark.parametrize(("typed", "parts"), [
    ("wangxl", ["wang", "x", "l"]), ("wxl", ["w", "x", "l"]),
    ("ouyangx", ["ou", "yang", "x"]), ("lvxiulan", ["lv", "xiu", "lan"]),
])
def test_typed_letters_split_into_syllables_and_initials(typed: str, parts: list[str]) -> None:
    assert segment(typed) == parts


def _found(query: str, **kw: bool) -> list[str]:
    return [h.title for h in search.search(query, **kw).hits if h.kind == "resident"]


@pytest.fixture
def town(empty_station: Paths) -> Town:
    town = Town()
    for i, name in enumerate(["单雄信", "曾国藩", "区志强", "仇英", "解缙", "欧阳修", "司马光",
                              "张行健", "李乐", "吕秀兰", "欧阳娜娜", "司马相如"]):
        town.resident(name, f"1-1-{101 + i}")
    return town


@pytest.mark.parametrize(("typed", "who"), [
    ("sxx", "单雄信"), ("shanxiongxin", "单雄信"), ("dxx", "单雄信"),
    ("zgf", "曾国藩"), ("cgf", "曾国藩"), ("zeng2guo2fan1", "曾国藩"),
    ("ozq", "区志强"), ("ouzhiqiang", "区志强"), ("qiuying", "仇英"), ("qy", "仇英"),
    ("xiejin", "解缙"), ("xj", "解缙"), ("jiejin", "解缙"),
    ("oyx", "欧阳修"), ("ouyangxiu", "欧阳修"), ("ouyang", "欧阳修"), ("欧阳", "欧阳修"),
    ("smg", "司马光"), ("simaguang", "司马光"),
    ("zxj", "张行健"), ("zhj", "张行健"), ("zhanghangjian", "张行健"),
    ("ll", "李乐"), ("liyue", "李乐"), ("luxiulan", "吕秀兰"), ("lvxiulan", "吕秀兰"),
    ("lü xiu lan", "吕秀兰"), ("xiongxin", "单雄信"),
    ("shanxx", "单雄信"), ("ouyangx", "欧阳修"), ("zhangxj", "张行健"), ("simag", "司马光"),
    ("zengguof", "曾国藩"),
])
def test_tricky_names_are_found(town: Town, typed: str, who: str) -> None:
    assert who in _found(typed)


def test_full_pinyin_and_initials_mixed(town: Town) -> None:
    town.resident("王秀兰", "2-1-101")
    town.resident("王小龙", "2-1-102")
    town.resident("汪雪莲", "2-1-103")
    town.resident("吴小林", "2-1-104")  # wxl, but not wang
    assert set(_found("wangxl")) == {"王秀兰", "王小龙", "汪雪莲"}
    assert _found("wangxuel") == ["汪雪莲"]
    assert _found("wangxiul") == ["王秀兰"]
    assert _found("wangxiaol") == ["王小龙"]


def test_the_proper_reading_outranks_the_everyday_one(town: Town) -> None:
    town.resident("丁雪霞", "1-2-101")  # dxx by its only reading
    assert _found("dxx")[:2] == ["丁雪霞", "单雄信"]


def test_compound_surname_is_one_surname(town: Town) -> None:
    assert set(_found("oy")) == {"欧阳修", "欧阳娜娜"}
    assert _found("smxr") == ["司马相如"]


def test_ranking_exact_name_then_initials_then_partial(empty_station: Paths) -> None:
    town = Town()
    town.resident("王秀兰芳", "1-1-101")  # starts like 王秀兰: partial
    town.resident("王小林", "1-1-102")  # same initials
    town.resident("王秀兰", "1-1-103")  # the exact name
    town.resident("谢磊", "1-1-104")  # xl is her whole initials
    assert _found("王秀兰") == ["王秀兰", "王秀兰芳"]
    found = _found("wxl")
    assert set(found[:2]) == {"王秀兰", "王小林"} and found[2] == "王秀兰芳"
    assert _found("xl")[0] == "谢磊"  # whole initials before given-name-only matches
    assert set(_found("xl")[1:]) == {"王秀兰", "王小林", "王秀兰芳"}
    assert _found("wangxiulan")[0] == "王秀兰"


def test_two_namesakes_can_be_told_apart(empty_station: Paths) -> None:
    from datetime import date

    town = Town()
    town.resident("王秀兰", "12-3-402", phone="13800001111", born=date(1941, 3, 8))
    town.resident("王秀兰", "5-1-201", phone="13900002222", born=date(1980, 6, 1))
    hits = search.search("wxl").hits
    seen = {(h.extra["info"].age, h.detail, h.extra["info"].phone) for h in hits}
    assert seen == {(85, "12-3-402", "138****1111"), (46, "5-1-201", "139****2222")}


def test_phone_tail_finds_the_owner(town: Town) -> None:
    town.resident("赵四", "2-1-101", phone="13812345678")
    assert _found("5678") == ["赵四"]
    assert _found("345678") == ["赵四"]
    assert _found("5679") == []


def test_id_fragments_only_for_roles_allowed_to_see_them(town: Town) -> None:
    town.resident("钱五", "2-1-102", id_number="42010619410308462X")
    assert _found("462x", can_see_ids=True) == ["钱五"]
    assert _found("420106194103", can_see_ids=True) == ["钱五"]
    assert _found("462x", can_see_ids=False) == []
    hit = search.search("钱五", can_see_ids=False).hits[0]
    assert hit.extra["info"].id_tail == ""
    assert search.search("钱五", can_see_ids=True).hits[0].extra["info"].id_tail == "462X"


def test_doors_in_the_forms_people_say(empty_station: Paths) -> None:
    town = Town()
    wang = town.resident("王秀兰", "12-3-402")
    town.resident("李四", "12-1-402")
    town.resident("张三", "13-3-402")
    for typed in ("12-3-402", "12栋3单元402", "12 3 402"):
        res = search.search(typed)
        assert [h.title for h in res.groups[0].hits] == ["12-3-402"], typed
        assert res.groups[0].kind == "household"
        assert [h.id for h in res.hits if h.kind == "resident"] == [wang]
    assert [h.title for h in search.search("12栋402").hits if h.kind == "household"] \
        == ["12-1-402", "12-3-402"]
    bare = [h.title for h in search.search("402").hits if h.kind == "household"]
    assert bare == ["12-1-402", "12-3-402", "13-3-402"]
    assert [h.title for h in search.search("402 13").hits if h.kind == "household"] \
        == ["13-3-402"]
    assert _found("wxl 12") == ["王秀兰"] and _found("wxl 13") == []


@pytest.mark.parametrize("typed", ["", "   ", "😀", "x" * 200, "王" * 200,
                                   "'; DROP TABLE resident; --", "%", "_", "\\", "''''"])
def test_garbage_is_safe(town: Town, typed: str) -> None:
    res = search.search(typed, can_see_ids=True)
    assert res.hits == []  # never raises, never matches everything
    assert _found("单雄信") == ["单雄信"]  # and the table is still there
