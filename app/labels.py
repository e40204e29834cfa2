"""Coded values in words (性别 M → 男, 关系 head → 户主, 状态, 颜色…): one rule for every place.

A stored code reads as the catalog entry ``<prefix>.<code>`` in the interface language;
a code without an entry (a community's own category, free text) reads as itself. Which
catalog prefix a column's codes use is :data:`CODED`, by ``(table, column)``: the
forms, the lists and the record history (Ctrl+Y) all call :func:`code` or :func:`field`,
so a code reads the same everywhere and no second table of labels exists.
"""

from __future__ import annotations

from app.i18n import has, t

#: (table, column) -> the catalog prefix of the column's codes.
CODED: dict[tuple[str, str], str] = {
    ("resident", "gender"): "gender",
    ("resident", "relation"): "relation",
    ("resident", "status"): "search.status",
    ("care_flag", "kind"): "care.kind",
    ("care_flag", "services"): "care.service",
    ("visit", "kind"): "visit.kind",
    ("visit", "services"): "care.service",
    ("case", "channel"): "channel",
    ("case", "category"): "category",
    ("case", "subcategory"): "subcategory",
    ("case", "colour"): "colour",
    ("case", "level"): "level",
    ("case", "state"): "state",
    ("case_event", "kind"): "cases.action",
    ("evaluation", "method"): "method",
    ("opinion", "source"): "civic.channel",
    ("opinion", "category"): "category",
    ("livelihood_item", "category"): "category",
    ("livelihood_item", "kind"): "civic.kind",
    ("livelihood_item", "status"): "civic.status",
    ("livelihood_note", "kind"): "civic.note",
    ("meeting", "level"): "civic.mlevel",
    ("agenda_item", "outcome"): "civic.outcome",
    ("agenda_item", "new_status"): "civic.status",
    ("mediation", "dispute_type"): "med.type",
    ("mediation", "status"): "mediation.status",
    ("mediation", "referred_to"): "med.referral",
    ("mediation_party", "side"): "med.side",
    ("mediator", "role"): "med.role",
    ("session_basis", "kind"): "med.basis",
    ("agreement_term", "status"): "med.check",
    ("convention", "scope"): "conv.scope",
    ("role", "kind"): "map.role",
    ("operator", "role"): "role",
}
#: Columns holding several codes separated by commas.
LISTS = frozenset({("care_flag", "services"), ("visit", "services")})


def code(prefix: str, value: str) -> str:
    """``value`` of a column whose codes live under ``prefix`` in the catalog, in words."""
    key = f"{prefix}.{value}"
    return t(key) if value and has(key) else value


def flag(value: str) -> str:
    """A stored boolean (``1``/``0``, ``True``/``False``) as 是 / 否."""
    return t("dialog.yes") if value.strip().lower() in ("1", "true") else t("dialog.no")


def field(table: str, column: str, value: str, boolean: bool = False) -> str:
    """A stored value of ``table.column`` as a person reads it (uncoded columns as is);
    ``boolean``: the column is a yes/no flag."""
    if boolean:
        return flag(value)
    prefix = CODED.get((table, column))
    if prefix is None:
        return value
    if (table, column) in LISTS:
        return "、".join(code(prefix, v.strip()) for v in value.split(",") if v.strip())
    return code(prefix, value)
