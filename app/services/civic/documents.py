"""Printed documents of co-governance, always in Chinese (they go on a wall or into a file):
the minutes of a meeting 会议纪要 (PDF) and the public notice 公示 of the livelihood list for
a building or the community (PDF and xlsx).

The notice holds no personal data: items, levels, household counts, statuses, due dates and
meeting votes only — no names, rooms or phone numbers. Files are written to a temporary
name and renamed when complete. The CJK font is the agreement's (Noto Serif SC, embedded).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from app import clock, i18n
from app.services.civic import items, meetings
from app.services.civic.detail import agenda_of
from models.db import db
from models.places import Building, Community

NOTICE_FORMATS = ("pdf", "xlsx")


def _zh(key: str, **params: object) -> str:
    text = i18n.catalog("zh").get(key, key)
    return text.format(**params) if params else text


@dataclass
class Notice:
    title: str
    scope: str
    date_line: str
    header: list[str]
    rows: list[list[str]]


def _progress(item_id: str) -> str:
    held = agenda_of(item_id)
    if not held:
        return ""
    a = held[0]
    outcome = _zh(f"civic.outcome.{a.outcome or 'open'}")
    return _zh("civic.doc.vote", date=a.held_on.isoformat(), outcome=outcome, f=a.votes[0],
               a=a.votes[1], b=a.votes[2])


def build_notice(community_id: str, building_id: str | None = None) -> Notice:
    """The 公示 of the community's list, or of the items touching one building."""
    community = Community.get_by_id(community_id)
    building = Building.get_by_id(building_id) if building_id else None
    scope = f"{building.number}{_zh('civic.doc.building')}" if building else community.name
    rows = []
    for r in items.ranked(community_id, building_id=building_id):
        rows.append([str(r.rank), r.title, f"{r.urgency}×{r.importance}", str(r.households),
                     _zh(f"civic.kind.{r.kind}"), _zh(f"civic.status.{r.status}"),
                     r.due_on.isoformat() if r.due_on else "", _progress(r.id)])
    header = [_zh(f"civic.doc.col.{c}") for c in ("rank", "title", "score", "households",
                                                  "kind", "status", "due", "progress")]
    return Notice(_zh("civic.doc.notice_title", scope=scope), scope,
                  _zh("civic.doc.date_line", name=community.name,
                      date=f"{clock.today():%Y年%m月%d日}"), header, rows)


def _font_path() -> Path:
    import pylopdf_fonts_zh_cn  # lazy: the font package only matters when printing

    return Path(pylopdf_fonts_zh_cn.serif_path())


def _pdf(title: str) -> Any:
    from fpdf import FPDF  # lazy: heavy

    pdf = FPDF(format="A4")
    pdf.set_margins(16, 16, 16)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_font("cjk", "", str(_font_path()))
    pdf.set_title(title)
    pdf.add_page()
    return pdf


def _para(pdf: Any, text: str, size: float = 11, align: str = "L", gap: float = 1.2) -> None:
    pdf.set_font("cjk", size=size)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.multi_cell(width, size * 0.6, text, align=align, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(gap)


def _atomic(out: Path, write: Callable[[Path], None]) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(out.name + ".part")
    try:
        write(part)
        os.replace(part, out)
    finally:
        part.unlink(missing_ok=True)
    return out


def notice_pdf(notice: Notice, out: Path) -> Path:
    pdf = _pdf(notice.title)
    _para(pdf, notice.title, size=18, align="C", gap=4)
    from fpdf.fonts import FontFace  # lazy, with fpdf

    widths = (10, 40, 16, 12, 20, 18, 22, 40)
    pdf.set_font("cjk", size=9)
    heading = FontFace(emphasis="", fill_color=(225, 225, 225))  # the CJK font has no bold
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=5,
                   headings_style=heading) as table:
        for cells in [notice.header, *notice.rows]:
            row = table.row()
            for cell in cells:
                row.cell(cell)
    pdf.ln(4)
    _para(pdf, _zh("civic.doc.notice_foot"), size=10)
    _para(pdf, notice.date_line, size=11, align="R")
    return _atomic(out, lambda p: pdf.output(str(p)))


def notice_xlsx(notice: Notice, out: Path) -> Path:
    from openpyxl import Workbook  # lazy
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _zh("civic.doc.sheet")
    ws.append([notice.title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(notice.header)
    for cells in notice.rows:
        ws.append(cells)
    ws.append([])
    ws.append([notice.date_line])
    for col, width in zip("ABCDEFGH", (6, 24, 10, 8, 12, 10, 12, 40), strict=True):
        ws.column_dimensions[col].width = width
    return _atomic(out, lambda p: wb.save(p))


def minutes_pdf(meeting_id: str, out: Path) -> Path:
    """The minutes 会议纪要 of one meeting: who came, each item's vote and decision."""
    m = meetings.meeting(meeting_id)
    title = _zh("civic.doc.minutes_title", title=m.title)
    pdf = _pdf(title)
    _para(pdf, title, size=18, align="C", gap=4)
    _para(pdf, _zh("civic.doc.minutes_when", date=f"{m.held_on:%Y年%m月%d日}",
                   place=m.place or "—", level=_zh(f"civic.mlevel.{m.level}")))
    for key in ("residents", "chiefs", "staff"):
        names = getattr(m, key)
        if names:
            _para(pdf, f"{_zh(f'civic.doc.{key}')}：{names}")
    pdf.ln(2)
    _para(pdf, _zh("civic.doc.agenda"), size=13)
    for a in meetings.agenda(meeting_id):
        _para(pdf, f"{a.position}. {a.title}", size=12, gap=0.5)
        outcome = _zh(f"civic.outcome.{a.outcome or 'open'}")
        _para(pdf, _zh("civic.doc.vote_line", outcome=outcome, f=a.votes[0], a=a.votes[1],
                       b=a.votes[2]), gap=0.5)
        if a.decision:
            _para(pdf, f"{_zh('civic.doc.decision')}：{a.decision}", gap=0.5)
        if a.convention:
            _para(pdf, _zh("civic.doc.convention", title=a.convention), gap=0.5)
        pdf.ln(1.5)
    if m.minutes:
        _para(pdf, _zh("civic.doc.minutes"), size=13)
        _para(pdf, m.minutes)
    pdf.ln(6)
    _para(pdf, _zh("civic.doc.signatures"), size=11)
    return _atomic(out, lambda p: pdf.output(str(p)))


def exports_dir() -> Path:
    return Path(str(db.database)).parent / "exports"


def export_notice(community_id: str, building_id: str | None = None,
                  formats: tuple[str, ...] = NOTICE_FORMATS, folder: Path | None = None,
                  day: date | None = None) -> list[Path]:
    """Write the notice in ``formats``; returns the files (worker-safe: own connection)."""
    with db.connection_context() if db.is_closed() else nullcontext():
        notice = build_notice(community_id, building_id)
    stem = f"{notice.scope}-民生清单公示-{(day or clock.today()):%Y%m%d}"
    target = folder or exports_dir()
    writers = {"pdf": notice_pdf, "xlsx": notice_xlsx}
    return [writers[fmt](notice, target / f"{stem}.{fmt}") for fmt in formats]


def export_minutes(meeting_id: str, folder: Path | None = None) -> Path:
    with db.connection_context() if db.is_closed() else nullcontext():
        m = meetings.meeting(meeting_id)
        name = f"{m.held_on:%Y%m%d}-{m.title}-会议纪要.pdf".replace("/", "-")
        return minutes_pdf(meeting_id, (folder or exports_dir()) / name)
