"""Opinions typed in from paper (``mulin opinions import``): read a .xlsx or .csv written
from the template, check *every* row first, and write either all of them (one
transaction) or — with ``skip_bad`` — only the good ones; the report names each bad row
(its spreadsheet row number, header = row 1) and why. Nothing is written when a row is bad
and ``skip_bad`` is off.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from app import i18n
from app.services.civic import opinions
from app.services.places import residents
from app.services.places import views as places
from app.validators import normalise
from models.visits import Opinion

COLUMNS = ("building", "place", "channel", "category", "content", "date", "collected_by")
FORMATS = ("xlsx", "csv")


class ImportFileError(ValueError):
    """The file itself cannot be read (missing, wrong type, no header)."""


@dataclass
class RowProblem:
    row: int
    reasons: list[str]


@dataclass
class ImportReport:
    rows: int = 0
    written: int = 0
    problems: list[RowProblem] = field(default_factory=list)


def header() -> list[str]:
    return [i18n.t(f"civic.import.col.{c}") for c in COLUMNS]


def _aliases() -> dict[str, str]:
    """Header text (either language) -> column."""
    out: dict[str, str] = {}
    for lang in i18n.LANGS:
        for c in COLUMNS:
            out[i18n.catalog(lang)[f"civic.import.col.{c}"].strip().lower()] = c
    return out


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(spreadsheet row number, column -> text) for every non-empty data row."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise ImportFileError(i18n.t("civic.import.no_file", path=str(path)))
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as f:
            raw = [list(r) for r in csv.reader(f)]
    elif suffix == ".xlsx":
        raw = _xlsx(path)
    else:
        raise ImportFileError(i18n.t("civic.import.bad_type", path=str(path)))
    if not raw:
        raise ImportFileError(i18n.t("civic.import.no_header"))
    aliases = _aliases()
    names = [aliases.get(_cell(h).lower(), "") for h in raw[0]]
    if "building" not in names or "content" not in names:
        raise ImportFileError(i18n.t("civic.import.no_header"))
    out = []
    for number, cells in enumerate(raw[1:], start=2):
        values = {n: _cell(v) for n, v in zip(names, cells, strict=False) if n}
        if any(values.values()):
            out.append((number, values))
    return out


def _xlsx(path: Path) -> list[list[Any]]:
    from openpyxl import load_workbook  # lazy
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise ImportFileError(i18n.t("civic.import.bad_type", path=str(path))) from exc
    try:
        ws = wb.worksheets[0]
        return [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def _choice(text: str, codes: tuple[str, ...], prefix: str, default: str) -> str | None:
    value = normalise(text)
    if not value:
        return default
    if value in codes:
        return value
    for lang in i18n.LANGS:
        for code in codes:
            if i18n.catalog(lang).get(f"{prefix}.{code}", "").lower() == value.lower():
                return code
    return None


def _form(community_id: str, values: dict[str, str],
          reasons: list[str]) -> opinions.OpinionForm | None:
    t = i18n.t
    number = values.get("building", "")
    building = places.find_building(community_id, number) if number else None
    if building is None:
        reasons.append(t("civic.import.bad_building", number=number or "—"))
        return None
    place = values.get("place", "")
    household = residents.find_household(building, place) if place else None
    if place and household is None:
        reasons.append(t("civic.import.bad_place", place=place))
    channel = _choice(values.get("channel", ""), opinions.CHANNELS, "civic.channel", "other")
    category = _choice(values.get("category", ""), opinions.categories(), "category", "119")
    if channel is None:
        reasons.append(t("civic.import.bad_channel", value=values.get("channel", "")))
    if category is None:
        reasons.append(t("civic.import.bad_category", value=values.get("category", "")))
    return opinions.OpinionForm(
        community_id=community_id, building_id=building, household_id=household,
        channel=channel or "other", category=category or "119",
        content=values.get("content", ""), collected_on=values.get("date", ""),
        collected_by=values.get("collected_by", ""))


def _key(form: opinions.OpinionForm) -> tuple[Any, ...]:
    return (form.building_id, form.household_id, normalise(form.content),
            opinions.parse_day(form.collected_on))


def _existing(community_id: str) -> set[tuple[Any, ...]]:
    return {(o.building_id, o.household_id, o.content, o.collected_on)
            for o in Opinion.select(Opinion.building, Opinion.household, Opinion.content,
                                    Opinion.collected_on)
            .where((Opinion.community == community_id) & (Opinion.deleted == False))}  # noqa: E712


def check_rows(community_id: str, rows: list[tuple[int, dict[str, str]]]
               ) -> tuple[list[opinions.OpinionForm], list[RowProblem]]:
    """Every row checked; (good forms, problems). Reads only."""
    good: list[opinions.OpinionForm] = []
    problems: list[RowProblem] = []
    seen: dict[tuple[Any, ...], int] = {}
    stored = _existing(community_id)
    for number, values in rows:
        reasons: list[str] = []
        form = _form(community_id, values, reasons)
        if form is not None:
            errors, _day = opinions.check(form)
            reasons += [i18n.t(f"civic.import.field.{name}") + i18n.t(f"civic.err.{code}")
                        for name, code in errors.items()]
        if form is not None and not reasons:
            key = _key(form)
            if key in seen:
                reasons.append(i18n.t("civic.import.duplicate", row=seen[key]))
            elif key in stored:
                reasons.append(i18n.t("civic.import.already"))
            seen.setdefault(key, number)
        if reasons:
            problems.append(RowProblem(number, reasons))
        elif form is not None:
            good.append(form)
    return good, problems


def import_file(community_id: str, path: Path, skip_bad: bool = False,
                operator: str | None = None) -> ImportReport:
    rows = read_rows(path)
    good, problems = check_rows(community_id, rows)
    report = ImportReport(len(rows), 0, problems)
    if problems and not skip_bad:
        return report
    if good:
        report.written = len(opinions.record_many(good, operator))
    return report


def write_template(path: Path) -> Path:
    """An empty import sheet: the header (and, in xlsx, a second sheet explaining it)."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ImportFileError(i18n.t("civic.import.bad_type", path=str(path)))
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    try:
        if fmt == "csv":
            with part.open("w", encoding="utf-8-sig", newline="") as f:
                csv.writer(f).writerow(header())
        else:
            _template_xlsx(part)
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)
    return path


def _template_xlsx(part: Path) -> None:
    from openpyxl import Workbook  # lazy

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = i18n.t("civic.import.sheet")
    ws.append(header())
    for col, width in zip("ABCDEFG", (8, 10, 10, 10, 40, 12, 10), strict=True):
        ws.column_dimensions[col].width = width
    notes = wb.create_sheet(i18n.t("civic.import.notes_sheet"))
    for line in i18n.t("civic.import.notes").split("\n"):
        notes.append([line])
    notes.append([i18n.t("civic.import.channels") + "、".join(
        i18n.t(f"civic.channel.{c}") for c in opinions.CHANNELS)])
    notes.append([i18n.t("civic.import.categories") + "、".join(
        opinions.category_label(c) for c in opinions.categories())])
    wb.save(part)
