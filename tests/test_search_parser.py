"""The query parser: every form people type, and garbage (safe and sensible)."""

from __future__ import annotations

import pytest

from app.services.search.lookup import Address, Query, parse


@pytest.mark.parametrize(("typed", "expected"), [
    ("12-3-402", Address("12", 3, "402")),
    ("12栋3单元402", Address("12", 3, "402")),
    ("12栋3单元402室", Address("12", 3, "402")),
    ("12号楼3单元402", Address("12", 3, "402")),
    ("１２－３－４０２", Address("12", 3, "402")),  # full-width digits from an IME
    ("12 3 402", Address("12", 3, "402")),
    ("12栋402", Address("12", None, "402")),
    ("12-402", Address("12", None, "402")),
    ("12#402", Address("12", None, "402")),
    ("402 12", Address("12", None, "402")),  # a bare room, then the building
    ("12 402", Address("12", None, "402")),
    ("12栋", Address("12", None, "")),
    ("3单元402", Address("", 3, "402")),
])
def test_building_unit_room_forms(typed: str, expected: Address) -> None:
    q = parse(typed)
    assert q.address == expected
    assert not (q.hanzi or q.latin or q.digits)


@pytest.mark.parametrize(("typed", "hanzi", "latin"), [
    ("王秀兰", "王秀兰", ""),
    ("王", "王", ""),
    (" 王 秀兰 ", "王秀兰", ""),
    ("wangxiulan", "", "wangxiulan"),
    ("WangXiuLan", "", "wangxiulan"),
    ("wang xiu lan", "", "wangxiulan"),
    ("wxl", "", "wxl"),
    ("wang2xiu4lan2", "", "wangxiulan"),  # tone numbers
    ("wáng xiù lán", "", "wangxiulan"),  # tone marks
    ("lü", "", "lv"),
    ("ｗｘｌ", "", "wxl"),  # full-width letters
])
def test_names_in_characters_pinyin_and_initials(typed: str, hanzi: str, latin: str) -> None:
    q = parse(typed)
    assert (q.hanzi, q.latin, q.address) == (hanzi, latin, None)


def test_bare_numbers_are_kept_for_phone_room_building_and_id() -> None:
    assert parse("5678").digits == "5678"
    assert parse("13812345678").digits == "13812345678"
    assert parse("402").digits == "402"
    assert parse("12").digits == "12"
    assert parse("1234x").digits == "1234x"  # the end of an ID number


def test_a_name_with_a_building_or_a_room_narrows_it() -> None:
    assert parse("wxl 12") == Query(text="wxl 12", latin="wxl", address=Address("12"))
    assert parse("王秀兰 12栋").address == Address("12")
    assert parse("wxl 402").address == Address(room="402")
    assert parse("wxl 12-3-402").address == Address("12", 3, "402")
    assert parse("王秀兰12栋3单元402").address == Address("12", 3, "402")
    assert parse("王秀兰12栋").hanzi == "王秀兰"
    assert parse("wxl12") == Query(text="wxl12", latin="wxl", address=Address("12"))


@pytest.mark.parametrize(("typed", "case", "mediation"), [
    ("DT-20261125-003", "DT-20261125-003", ""),
    ("dt-20261125-003", "DT-20261125-003", ""),
    ("DT-2026", "DT-2026", ""),
    ("DT-TJ-2026-001", "", "DT-TJ-2026-001"),
    ("dt-tj-2026", "", "DT-TJ-2026"),
    ("hb-tj", "", "HB-TJ"),
])
def test_case_and_mediation_numbers(typed: str, case: str, mediation: str) -> None:
    q = parse(typed)
    assert (q.case_number, q.mediation_number) == (case, mediation)


@pytest.mark.parametrize("typed", ["", " ", "   \t  ", "\n", "😀", "😀😀😀", "!!!", "——",
                                   "\x00\x1b\x07", "%", "_"])
def test_garbage_is_an_empty_query(typed: str) -> None:
    assert parse(typed).empty


def test_long_input_is_cut_not_refused() -> None:
    q = parse("wxl" * 70)  # 210 characters
    assert len(q.text) <= 64 and q.latin.startswith("wxlwxl")
    assert parse("王" * 200).hanzi == "王" * 64


@pytest.mark.parametrize("typed", [
    "'; DROP TABLE resident; --", "\" OR 1=1 --", "王' OR '1'='1", "%' UNION SELECT *",
])
def test_sql_looking_text_is_just_text(typed: str) -> None:
    q = parse(typed)
    assert not q.case_number and not q.mediation_number and q.address is None
