"""The agreement document 人民调解协议书: Markdown and a PDF whose Chinese text extracts."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from app import store
from app.services.mediation import agreement_doc
from models.mediation import Mediation


def _ac(community_id: str) -> Mediation:
    return Mediation.get((Mediation.community == community_id)
                         & (Mediation.title == "13栋空调外机安放纠纷"))


def test_capital_amounts() -> None:
    assert agreement_doc.capital_amount(30000) == "叁佰元整"
    assert agreement_doc.capital_amount(120050) == "壹仟贰佰元伍角"
    assert agreement_doc.capital_amount(100001) == "壹仟元零壹分"
    assert agreement_doc.capital_amount(1005000) == "壹万零伍拾元整"


def test_markdown_is_a_two_party_agreement_ready_to_sign(hubin, tmp_path: Path) -> None:
    m = _ac(store.context().community_id)
    out = agreement_doc.export(m.id, "md", tmp_path / "a.md", plain=True)
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# 人民调解协议书")
    assert f"编号：{m.number}" in text
    assert "**甲方**" in text and "**乙方**" in text
    assert "一、乙方" in text and "将空调外机" in text  # upstairs moves the unit
    assert "二、甲方" in text and "300.00元（大写：叁佰元整）" in text  # downstairs pays
    assert "《中华人民共和国民法典》第二百八十八条" in text
    assert "甲方（签名）" in text and "乙方（签名）" in text and "人民调解员（签名）" in text
    assert "湖滨社区人民调解委员会" in text
    assert "****" not in text and not re.search(r"1[3-9]\d{9}", text)  # no phone by default


def test_pdf_opens_and_its_chinese_text_extracts(hubin, tmp_path: Path) -> None:
    from pypdf import PdfReader

    m = _ac(store.context().community_id)
    out = agreement_doc.export(m.id, "pdf", tmp_path / "a.pdf", plain=True)
    reader = PdfReader(str(out))
    assert len(reader.pages) == 1  # one page, signatures included
    # pypdf reads fpdf2's embedded CID CMap for the CFF font with a NUL before each code
    raw = "".join(page.extract_text() for page in reader.pages).replace("\x00", "")
    text = re.sub(r"\s+", "", raw)
    for expected in ("人民调解协议书", m.number, "空调外机", "叁佰元整", "甲方（签名）",
                     "乙方（签名）", "湖滨社区人民调解委员会", "双方当事人"):
        assert expected in text, expected
    fonts = {str(f) for page in reader.pages
             for f in page["/Resources"]["/Font"].get_object().values()}
    assert any("NotoSerifSC" in f for f in fonts)  # embedded, not left to the viewer
    assert out.stat().st_size < 400_000  # as a subset


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_text_as_poppler_reads_it(hubin, tmp_path: Path) -> None:
    m = _ac(store.context().community_id)
    out = agreement_doc.export(m.id, "pdf", tmp_path / "a.pdf", plain=True)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert text.startswith("人民调解协议书") and "甲方（签名）" in text


def test_cli_exports_by_number(hubin, tmp_path: Path) -> None:
    m = _ac(store.context().community_id)
    out = tmp_path / "doc.md"
    from app.cli import main

    data_dir = str(hubin.data_dir)
    assert main(["--data-dir", data_dir, "mediation", "export", m.number, "--format", "md",
                 "--out", str(out), "--plain"]) == 0
    assert "人民调解协议书" in out.read_text(encoding="utf-8")
    assert main(["--data-dir", data_dir, "mediation", "export", "NOPE-1", "--out",
                 str(tmp_path / "x.md")]) == 1
    assert not (tmp_path / "x.md").exists()
