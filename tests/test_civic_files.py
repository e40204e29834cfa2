"""Files of co-governance: the import of opinions typed in from paper (bad rows named,
nothing written), its template, and the printed minutes and public notice (Chinese text
extracts with poppler's pdftotext; the notice holds no personal data)."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from app.cli import main
from app.config import Paths
from app.services.civic import documents, importer, items, meetings, opinions
from app.services.station import stats
from models.db import db
from models.sync import Change
from models.visits import Opinion
from tests.civic_support import COMMUNITY, seed

HEADER = ["楼栋", "单元-室", "渠道", "类别", "意见内容", "日期", "收集人"]
GOOD = ["1", "1-100", "入户走访", "有难必帮", "楼下路灯不亮", "2026-11-20", "张三"]


@pytest.fixture
def town(empty_station: Paths) -> dict[str, list[str]]:
    return seed()


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([HEADER, *rows])
    return path


BAD_ROWS = [
    GOOD,
    ["99", "", "", "", "停车难", "2026-11-20", ""],  # row 3: no such building
    ["1", "", "电话", "", "", "2026-11-20", ""],  # row 4: empty text
    ["2", "", "", "", "路面积水", "2026-13-40", ""],  # row 5: bad date
    GOOD,  # row 6: duplicate of row 2
    ["2", "1-101", "网格群", "122", "遛狗不牵绳", "", ""],  # row 7: good (today)
]


def test_import_names_every_bad_row_and_writes_nothing(town: dict[str, list[str]],
                                                       tmp_path: Path) -> None:
    path = _csv(tmp_path / "bad.csv", BAD_ROWS)
    before = (stats.digest(), Change.select().count())
    report = importer.import_file(COMMUNITY, path)
    assert (stats.digest(), Change.select().count()) == before
    assert report.written == 0 and report.rows == 6
    why = {p.row: "；".join(p.reasons) for p in report.problems}
    assert set(why) == {3, 4, 5, 6}
    assert "99" in why[3] and "楼栋" in why[3]
    assert "意见内容" in why[4] and "必填" in why[4]
    assert "日期" in why[5]
    assert "第 2 行" in why[6]


def test_skip_bad_writes_the_good_rows_and_lists_the_rest(town: dict[str, list[str]],
                                                          tmp_path: Path) -> None:
    report = importer.import_file(COMMUNITY, _csv(tmp_path / "bad.csv", BAD_ROWS),
                                  skip_bad=True)
    assert report.written == 2 and [p.row for p in report.problems] == [3, 4, 5, 6]
    texts = {o.content: o for o in Opinion.select()}
    assert set(texts) == {"楼下路灯不亮", "遛狗不牵绳"}
    assert texts["遛狗不牵绳"].source == "group_chat" and texts["遛狗不牵绳"].category == "122"
    # importing the same file again finds them already recorded
    again = importer.import_file(COMMUNITY, _csv(tmp_path / "bad.csv", [GOOD]))
    assert again.written == 0 and "已经录入" in again.problems[0].reasons[0]


def test_cli_import_refuses_with_the_report_and_exit_1(
        town: dict[str, list[str]], paths: Paths, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    from app import store

    store.activate(None)
    db.close()
    data = str(paths.data_dir)
    path = tmp_path / "t.xlsx"
    assert main(["--data-dir", data, "opinions", "template", "--out", str(path)]) == 0
    from openpyxl import load_workbook

    assert [c.value for c in load_workbook(path).worksheets[0][1]] == HEADER
    capsys.readouterr()
    status = main(["--data-dir", data, "opinions", "import",
                   str(_csv(tmp_path / "bad.csv", BAD_ROWS))])
    err = capsys.readouterr().err
    assert status == 1 and "Traceback" not in err
    assert "第 3 行" in err and "第 6 行" in err and "未导入" in err
    assert Opinion.select().count() == 0
    assert main(["--data-dir", data, "opinions", "import", str(tmp_path / "none.xlsx")]) == 1


@pytest.fixture
def decided(town: dict[str, list[str]]) -> str:
    oid = opinions.record(opinions.OpinionForm(
        community_id=COMMUNITY, building_id=town["buildings"][0],
        household_id=town["households"][0], resident_id=town["residents"][0],
        content="小区停车难，车位不够", collected_on="2026-11-20"))
    item = items.create(COMMUNITY, items.ItemForm(title="停车位规划", urgency=3), [oid])
    meeting = meetings.create(COMMUNITY, meetings.MeetingForm(
        held_on="2026-11-24", level="class", title="十一月班长议事会", venue="社区议事厅",
        residents="张三、李四", chiefs="王五", staff="刘书记"), [item])
    meetings.decide(meetings.agenda(meeting)[0].id, meetings.DecisionForm(
        outcome="adopted", votes_for="21", votes_against="2", votes_abstain="1",
        decision="划线停车", convention="院落行车公约"))
    return meeting


def _pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    return re.sub(r"\s+", "", out)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_minutes_pdf_holds_the_chinese_title_votes_and_convention(decided: str,
                                                                 tmp_path: Path) -> None:
    text = _pdf_text(documents.export_minutes(decided, tmp_path))
    for expected in ("十一月班长议事会会议纪要", "班长议事会", "停车位规划", "赞成21票",
                     "《院落行车公约》", "张三、李四"):
        assert expected in text, expected


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_notice_pdf_and_xlsx_hold_no_personal_data(decided: str, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    pdf, xlsx = documents.export_notice(COMMUNITY, folder=tmp_path)
    text = _pdf_text(pdf)
    assert "测试社区民生清单公示" in text and "停车位规划" in text and "赞成21" in text
    cells = " ".join(str(c.value) for row in load_workbook(xlsx).worksheets[0].iter_rows()
                     for c in row if c.value is not None)
    assert "测试社区民生清单公示" in cells and "停车位规划" in cells
    for private in ("居民0", "13800000000", "1-100", "张三"):
        assert private not in text and private not in cells
    assert not list(tmp_path.glob("*.part"))
