"""The agreement document 人民调解协议书: built once from the record, written as Markdown
or as a PDF (fpdf2, with Noto Serif SC embedded from the ``pylopdf-fonts-zh-cn`` package,
SIL OFL 1.1 — no network at run time), ready to print and sign.

The document is a Chinese legal form, so it is written in Chinese whatever the interface
language (``lang`` may ask for English, e.g. for a reviewer).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from app import i18n
from app.services.mediation import views as mediation_views
from app.services.mediation.drafts import yuan
from app.services.trust.sealed import Written, write_export
from models.db import db
from models.mediation import Mediation, MediationParty
from models.places import Community

FORMATS = ("md", "pdf")
NUMERALS = "一二三四五六七八九十"
_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ("", "拾", "佰", "仟")
_GROUPS = ("", "万", "亿")


def capital_amount(fen: int) -> str:
    """Amount in capital numerals 大写金额 (30000 fen -> 叁佰元整)."""
    yuan_part, jiao, fen_digit = fen // 100, fen // 10 % 10, fen % 10
    text = _capital_integer(yuan_part) + "元" if yuan_part else ""
    if not jiao and not fen_digit:
        return (text or "零元") + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif yuan_part:
        text += "零"
    return text + (_DIGITS[fen_digit] + "分" if fen_digit else "")


def _capital_integer(n: int) -> str:
    chunks: list[int] = []
    while n:
        n, chunk = divmod(n, 10000)
        chunks.append(chunk)
    text = ""
    for index in range(len(chunks) - 1, -1, -1):  # highest group first
        chunk = chunks[index]
        if chunk == 0:
            continue
        if text and (chunk < 1000 or chunks[index + 1] == 0) and not text.endswith("零"):
            text += "零"
        text += _capital_chunk(chunk) + _GROUPS[index]
    return text


def _capital_chunk(chunk: int) -> str:
    out, zero = "", False
    for pos in range(3, -1, -1):
        digit = chunk // 10 ** pos % 10
        if digit:
            if zero and out:
                out += "零"
            out += _DIGITS[digit] + _UNITS[pos]
            zero = False
        else:
            zero = True
    return out


@dataclass
class DocParty:
    label: str  # 甲方 / 乙方
    name: str
    address: str
    contact: str


@dataclass
class AgreementDoc:
    """Everything the document shows, already in words."""

    title: str
    number: str
    committee: str
    dispute: str
    facts: str
    parties: list[DocParty]
    bases: list[str]
    intro: str
    terms: list[str]
    outcome: str
    closing: list[str]
    signatures: list[str]
    date_line: str
    labels: dict[str, str] = field(default_factory=dict)


def _text(lang: str) -> Callable[..., str]:
    def text(key: str, **params: object) -> str:
        raw = i18n.catalog(lang).get(key) or i18n.catalog("zh").get(key) or key
        return raw.format(**params) if params else raw

    return text


def _date(day: date | None, lang: str) -> str:
    if day is None:
        return ""
    return f"{day.year}年{day.month}月{day.day}日" if lang == "zh" else day.isoformat()


def _term_text(term: mediation_views.TermView, label: str, lang: str) -> str:
    text = _text(lang)
    line = text("doc.term", side=label, party=term.party, obligation=term.obligation)
    if term.cost_fen:
        line += text("doc.term_cost", amount=yuan(term.cost_fen),
                     capital=capital_amount(term.cost_fen))
    if term.deadline:
        line += text("doc.term_deadline", day=_date(term.deadline, lang))
    return line + text("doc.term_end")


def _contact(party_id: str, include_contact: bool) -> str:
    if not include_contact:
        return ""
    from app.services.trust.masking import shown

    # asked for: an admin gets it in full, other roles as the permission table allows
    return shown("contact", str(MediationParty.get_by_id(party_id).contact), revealed=True)


def build(mediation_id: str, include_contact: bool = False, lang: str = "zh") -> AgreementDoc:
    """The document for one mediation: two sides, each term bound to its party."""
    text = _text(lang)
    m = mediation_views.detail(mediation_id)
    community = Community.get_by_id(Mediation.get_by_id(mediation_id).community_id)
    labels = {"A": text("doc.side_a"), "B": text("doc.side_b")}
    parties = [DocParty(labels[p.side], p.name, p.address, _contact(p.id, include_contact))
               for p in m.parties]
    bases = [text(f"doc.basis.{b.kind}", reference=b.reference)
             for s in m.sessions for b in s.bases]
    terms = [f"{NUMERALS[i] if i < len(NUMERALS) else i + 1}、"
             + _term_text(term, labels.get(term.side, ""), lang)
             for i, term in enumerate(m.terms)]
    committee = text("doc.committee", community=community.name)
    mediators = "、".join(f"{x.name}（{text(f'med.role.{x.role}')}）" for x in m.mediators)
    return AgreementDoc(
        title=text("doc.title"), number=m.number, committee=committee, dispute=m.title,
        facts=m.facts, parties=parties, bases=list(dict.fromkeys(bases)),
        intro=text("doc.intro", committee=committee, mediators=mediators or "—"),
        terms=terms,
        outcome=text(f"doc.outcome.{m.status}", reason=m.outcome_reason),
        closing=[text("doc.effect"), text("doc.copies")],
        signatures=[text("doc.sign_a"), text("doc.sign_b"), text("doc.sign_mediator"),
                    text("doc.seal", committee=committee)],
        date_line=text("doc.date", day=_date(m.closed_on, lang) or text("doc.blank_date")),
        labels={k: text(f"doc.{k}") for k in
                ("number", "parties", "facts", "bases", "agreement", "address", "contact",
                 "dispute")})


def to_markdown(doc: AgreementDoc) -> str:
    """The document as Markdown, signature lines included."""
    lab = doc.labels
    lines = [f"# {doc.title}", "", f"{lab['number']}：{doc.number}", "", f"## {lab['parties']}",
             ""]
    for p in doc.parties:
        extra = f"，{lab['address']}：{p.address}" if p.address else ""
        extra += f"，{lab['contact']}：{p.contact}" if p.contact else ""
        lines += [f"**{p.label}**：{p.name}{extra}", ""]
    lines += [f"## {lab['facts']}", "", f"{lab['dispute']}：{doc.dispute}", "",
              doc.facts or "—", ""]
    if doc.bases:
        lines += [f"## {lab['bases']}", "", *[f"- {b}" for b in doc.bases], ""]
    lines += [f"## {lab['agreement']}", "", doc.intro, "", *[f"{x}\n" for x in doc.terms],
              doc.outcome, "", *[f"{x}\n" for x in doc.closing]]
    lines += [f"{s}＿＿＿＿＿＿＿＿＿＿\n" for s in doc.signatures]
    lines += [doc.date_line, ""]
    return "\n".join(lines)


def _font_path() -> Path:
    import pylopdf_fonts_zh_cn  # lazy: the font package only matters when printing

    return Path(pylopdf_fonts_zh_cn.serif_path())


def to_pdf(doc: AgreementDoc, out: Path) -> Path:
    """Write an A4 PDF with the CJK font embedded (subset), in the clear."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(pdf_bytes(doc))
    return out


def pdf_bytes(doc: AgreementDoc) -> bytes:
    """The agreement as an A4 PDF with the CJK font embedded (subset)."""
    from fpdf import FPDF  # lazy: heavy

    pdf = FPDF(format="A4")
    pdf.set_margins(20, 16, 20)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_font("cjk", "", str(_font_path()))
    pdf.set_title(f"{doc.title} {doc.number}")
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def para(text: str, size: float = 11, gap: float = 1.2, align: str = "L") -> None:
        pdf.set_font("cjk", size=size)
        pdf.multi_cell(width, size * 0.6, text, align=align, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    lab = doc.labels
    para(doc.title, size=20, gap=3, align="C")
    para(f"{lab['number']}：{doc.number}", size=10.5, gap=4, align="R")
    para(lab["parties"], size=12.5)
    for p in doc.parties:
        extra = f"    {lab['address']}：{p.address}" if p.address else ""
        extra += f"    {lab['contact']}：{p.contact}" if p.contact else ""
        para(f"{p.label}：{p.name}{extra}")
    pdf.ln(2)
    para(lab["facts"], size=12.5)
    para(f"{lab['dispute']}：{doc.dispute}")
    para(doc.facts or "—")
    if doc.bases:
        pdf.ln(2)
        para(lab["bases"], size=12.5)
        for basis in doc.bases:
            para(f"· {basis}", gap=0.5)
    pdf.ln(2)
    para(lab["agreement"], size=12.5)
    for line in [doc.intro, *doc.terms, doc.outcome, *doc.closing]:
        para(line)
    _signatures(pdf, doc, width)
    return bytes(pdf.output())


def _signatures(pdf: Any, doc: AgreementDoc, width: float) -> None:
    """Two signatures a row (parties, then mediator and seal), kept on one page."""
    block = 48.0
    if pdf.get_y() + block > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.ln(6)
    pdf.set_font("cjk", size=11.5)
    pairs = [doc.signatures[i:i + 2] for i in range(0, len(doc.signatures), 2)]
    for pair in pairs:
        for text in pair:
            pdf.cell(width / 2, 8, text)
        pdf.ln(14)
    pdf.cell(width, 8, doc.date_line, align="R")


def default_path(number: str, fmt: str) -> Path:
    """``exports/<number>.<fmt>`` next to the station's database."""
    return Path(str(db.database)).parent / "exports" / f"{number}-协议书.{fmt}"


def export(mediation_id: str, fmt: str, out: Path | None = None,
           include_contact: bool = False, plain: bool = False) -> Path:
    """Write the agreement of one mediation as ``md`` or ``pdf``, sealed unless ``plain``
    (:mod:`app.services.trust.sealed`); returns the file."""
    return write(mediation_id, fmt, out, include_contact, plain).path


def write(mediation_id: str, fmt: str, out: Path | None = None,
          include_contact: bool = False, plain: bool = False) -> Written:
    """The agreement on disk, and how many residents it names."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    # a worker thread has no connection of its own yet: open one for the read, then close
    with db.connection_context() if db.is_closed() else nullcontext():
        doc = build(mediation_id, include_contact)
    target = out or default_path(doc.number, fmt)
    text = to_markdown(doc)
    data = text.encode("utf-8") if fmt == "md" else pdf_bytes(doc)
    return write_export(target, data, text, plain)
