"""Shift handover 交接班: what the outgoing duty officer leaves for the next one.

Open red cases, overdue cases, cases falling due before the next shift starts, key-care
visits due today (or already late), and the outgoing officer's note. The note is a
community setting (``handover.note``) so it syncs to the other stations like any change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from app import clock, store
from app.i18n import t
from app.services.cases import views as case_views
from app.services.cases.views import CaseFilter, CaseRow
from app.services.mediation import views as mediation_views
from app.services.mediation.views import OverdueFollowUp
from app.services.places import care
from app.services.station import settings
from app.services.trust.sealed import Written, write_export
from models.db import db

NOTE_KEY = "handover.note"
SHIFT_HOURS = 12
LIMIT = 200


@dataclass
class VisitDue:
    name: str
    place: str
    grid: str
    due: date
    kinds: str


@dataclass
class Note:
    text: str = ""
    by: str = ""
    at: datetime | None = None


@dataclass
class Handover:
    at: datetime
    next_shift: datetime
    open_red: list[CaseRow] = field(default_factory=list)
    overdue: list[CaseRow] = field(default_factory=list)
    due_soon: list[CaseRow] = field(default_factory=list)
    visits_due: list[VisitDue] = field(default_factory=list)
    note: Note = field(default_factory=Note)
    follow_ups: list[OverdueFollowUp] = field(default_factory=list)  # 履行回访 overdue


def _visits_due(community_id: str) -> list[VisitDue]:
    today = clock.today()
    rows = [r for r in care.care_rows(community_id) if r.due <= today]
    return [VisitDue(r.name, r.place, r.grid, r.due, ",".join(r.kinds)) for r in rows[:LIMIT]]


def note() -> Note:
    value = settings.get_json(NOTE_KEY)
    if value is None:
        return Note()
    try:
        at = clock.local(datetime.fromisoformat(value["at"])) if value.get("at") else None
        return Note(str(value.get("text", "")), str(value.get("by", "")), at)
    except (ValueError, KeyError, TypeError):
        return Note()


def save_note(text: str, by: str = "") -> Note:
    """Store the outgoing officer's note (replacing the previous shift's)."""
    text = text.strip()
    if len(text) > 2000:
        raise ValueError(t("handover.too_long"))
    at = clock.now()
    settings.put_json(NOTE_KEY, {"text": text, "by": by or store.context().operator,
                                 "at": at.isoformat()})
    return note()


def build(community_id: str, shift_hours: int = SHIFT_HOURS) -> Handover:
    now = clock.now()
    nxt = now + timedelta(hours=shift_hours)
    return Handover(
        clock.local(now), clock.local(nxt),
        case_views.page(community_id, CaseFilter(colour="red"), 0, LIMIT),
        case_views.page(community_id, CaseFilter(overdue=True), 0, LIMIT),
        case_views.page(community_id, CaseFilter(due_before=nxt), 0, LIMIT),
        _visits_due(community_id), note(),
        mediation_views.overdue_follow_ups(community_id, clock.today())[:LIMIT])


def _case_line(r: CaseRow) -> str:
    when = case_views.time_left_words(r.time_left())[0]  # the screen's words (超时9天)
    return (f"- {r.number} [{t(f'colour.{r.colour}')}] {r.grid} "
            f"{t(f'category.{r.category}')} {t(f'state.{r.state}')} {when} "
            f"{r.handler or '—'} {r.description}")


def follow_up_line(f: OverdueFollowUp) -> str:
    return t("handover.follow_up_line", number=f.number, party=f.party,
             obligation=f.obligation, days=f.days_overdue)


def as_text(h: Handover) -> str:
    """The handover as a plain-text (Markdown) sheet."""
    lines = [f"# {t('handover.title')} {h.at:%Y-%m-%d %H:%M}",
             t("handover.next_shift", at=f"{h.next_shift:%Y-%m-%d %H:%M}"), ""]
    for title, rows in ((t("handover.open_red", n=len(h.open_red)), h.open_red),
                        (t("handover.overdue", n=len(h.overdue)), h.overdue),
                        (t("handover.due_soon", n=len(h.due_soon)), h.due_soon)):
        lines += [f"## {title}", *(_case_line(r) for r in rows), ""]
    lines.append(f"## {t('handover.visits_due', n=len(h.visits_due))}")
    lines += [f"- {v.name} {v.place} {v.grid} {v.due:%m-%d}" for v in h.visits_due]
    lines += ["", f"## {t('handover.follow_ups', n=len(h.follow_ups))}"]
    lines += [follow_up_line(f) for f in h.follow_ups]
    lines += ["", f"## {t('handover.note')}", h.note.text or "—"]
    if h.note.by or h.note.at:
        stamp = f"{clock.local(h.note.at):%Y-%m-%d %H:%M}" if h.note.at else ""
        lines.append(f"— {h.note.by} {stamp}".rstrip())
    return "\n".join(lines) + "\n"


def export(h: Handover, folder: Path | None = None, plain: bool = False) -> Path:
    """Write the handover sheet into ``folder`` (the station's exports), sealed unless
    ``plain`` (:mod:`app.services.trust.sealed`); returns the file."""
    return write(h, folder, plain).path


def write(h: Handover, folder: Path | None = None, plain: bool = False) -> Written:
    """The handover sheet on disk, and how many residents it names."""
    folder = folder or Path(str(db.database)).parent / "exports"
    text = as_text(h)
    path = folder / f"handover-{h.at:%Y%m%d-%H%M}.md"
    return write_export(path, text.encode("utf-8"), text, plain)
