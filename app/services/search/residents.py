"""The one resident lookup (居民查找) behind every "who is it?" box.

Intake's reporter, mediation parties, visits and the Ctrl+F find box all ask
:func:`find_residents`, which answers from the same parser and index as find
(:mod:`app.services.search.lookup`): names, pinyin, initials, phone tails, and doors
written building-unit-room (``12-3-402`` finds unit 3 only).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.services.search import lookup


@dataclass(frozen=True)
class ResidentChoice:
    """One resident as a picker shows it: name, full door, masked phone."""

    id: str
    name: str
    door: str  # 12-3-402
    phone: str  # masked
    building_id: str
    household_id: str

    @property
    def label(self) -> str:
        return "  ".join(p for p in (self.name, self.door, self.phone) if p)


def find_residents(text: str, limit: int = 8, can_see_ids: bool = False
                   ) -> list[ResidentChoice]:
    """Residents matching ``text``, best first (empty for an empty query)."""
    if not text.strip():
        return []
    results = lookup.search(text, can_see_ids, limit)
    out: list[ResidentChoice] = []
    for hit in results.hits:
        if hit.kind != "resident" or any(c.id == hit.id for c in out):
            continue
        info = hit.extra.get("info")
        phone = info.phone if info is not None else ""
        out.append(ResidentChoice(hit.id, hit.title, hit.detail, phone, hit.building_id,
                                  hit.household_id))
    return out[:limit]
