"""One mediation in full: the record, parties, mediators, sessions, agreement terms and
follow-ups, each a section the keyboard moves between; every part added or edited here."""

from __future__ import annotations

from collections.abc import Callable

from rich.markup import escape
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from app import keymap
from app.i18n import t
from app.services.mediation import agreement_doc
from app.services.mediation import records as med
from app.services.mediation import views as mediation_views
from app.services.mediation.views import MediationDetail
from screens import busy
from screens.base import MulinScreen
from screens.dialogs import ConfirmDialog
from screens.mediation.forms import (
    MedForm,
    follow_up_form,
    mediation_form,
    mediator_form,
    outcome_form,
    party_form,
    session_form,
    term_form,
)
from screens.widgets.virtual_table import Column, ListSource, Row, VirtualTable

keymap.define("mediation.follow_up", "u", "follow_up")
keymap.define("mediation.outcome", "o", "outcome")
keymap.define("mediation.export", "x", "export")
keymap.define("mediation.delete", "delete", "delete")

SECTIONS = ("parties", "mediators", "sessions", "terms", "follow_ups")
SECTION_TABLES = {"parties": "mediation_party", "mediators": "mediator",
                  "sessions": "mediation_session", "terms": "agreement_term",
                  "follow_ups": "follow_up"}
MAX_ROWS = 6


class RecordHead(Static, can_focus=True):
    """The record itself (type, status, facts): focus it and press e to edit."""

    DEFAULT_CSS = """
    RecordHead { height: auto; padding: 0 1; background: $panel; }
    RecordHead:focus { background: $accent 30%; }
    """


def _none(text: str) -> str:
    return text or t("med.none")


def _bases(session: mediation_views.SessionView) -> str:
    return "；".join(f"{t(f'med.basis.{b.kind}')}：{b.reference}" for b in session.bases)


def _checks(detail: MediationDetail, checks: dict[str, str]) -> str:
    return " ".join(f"{term.seq}.{t(f'med.check.{checks[term.id]}')}" for term in detail.terms
                    if term.id in checks)


def _term_status(term: mediation_views.TermView) -> Text:
    if term.overdue:
        return Text(t("med.overdue_n", n=""), style="bold red")
    return Text(t(f"med.check.{term.status}"))


def _rows(section: str, d: MediationDetail) -> list[Row]:
    if section == "parties":
        return [Row(p.id, [t(f"med.side_short.{p.side}"), p.name, p.contact, p.address])
                for p in d.parties]
    if section == "mediators":
        return [Row(x.id, [x.name, t(f"med.role.{x.role}")]) for x in d.mediators]
    if section == "sessions":
        return [Row(s.id, [s.held_at.strftime("%Y-%m-%d %H:%M"), t(f"med.place.{s.place}"),
                           str(len(s.bases)), s.attendees]) for s in d.sessions]
    if section == "terms":
        return [Row(a.id, [str(a.seq), f"{t(f'med.side_short.{a.side}')} {a.party}",
                           a.deadline.isoformat() if a.deadline else "—",
                           med.yuan(a.cost_fen) or "—", _term_status(a), a.obligation],
                    style="red" if a.overdue else "") for a in d.terms]
    return [Row(f.id, [f.at.strftime("%Y-%m-%d %H:%M"), f.by, _checks(d, f.checks), f.notes])
            for f in d.follow_ups]


def _columns(section: str) -> list[Column]:
    specs = {
        "parties": [("side", 2), ("name", 10), ("contact", 11), ("address", 0)],
        "mediators": [("name", 12), ("role", 0)],
        "sessions": [("when", 16), ("place", 10), ("bases", 4), ("attendees", 0)],
        "terms": [("seq", 2), ("party", 10), ("deadline", 10), ("cost", 9),
                  ("term_status", 6), ("obligation", 0)],
        "follow_ups": [("when", 16), ("by", 8), ("result", 20), ("notes", 0)],
    }[section]
    return [Column(t(f"med.col.{name}"), width) for name, width in specs]


@keymap.bound
class MediationDetailScreen(MulinScreen):
    """A mediation record: Tab / ] [ between sections, n adds, e edits."""

    NAME = "mediation_detail"
    KEYS = ("nav.back", "nav.new", "nav.edit", "mediation.follow_up", "mediation.outcome",
            "mediation.export", "mediation.delete", "nav.next_section", "nav.prev_section")
    DEFAULT_CSS = """
    MediationDetailScreen VerticalScroll { height: 1fr; }
    MediationDetailScreen VirtualTable { height: 2; }
    MediationDetailScreen #med-item { height: auto; padding: 0 1; margin-top: 1;
                                      border-top: solid $primary; }
    """

    def __init__(self, mediation_id: str) -> None:
        super().__init__()
        self.mediation_id = mediation_id
        self.detail: MediationDetail | None = None

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="med-scroll", can_focus=False):
            yield RecordHead(id="med-head")
            for section in SECTIONS:
                yield Static(id=f"title-{section}", classes="section-title")
                yield VirtualTable(_columns(section), id=f"sec-{section}")
            yield Static(id="med-item")

    def on_mount(self) -> None:
        self.reload()
        self.query_one("#med-head", RecordHead).focus()

    # data -------------------------------------------------------------------------
    def reload(self) -> None:
        d = self.detail = mediation_views.detail(self.mediation_id)
        self.query_one("#med-head", RecordHead).update(self._head_text(d))
        for section in SECTIONS:
            rows = _rows(section, d)
            table = self.query_one(f"#sec-{section}", VirtualTable)
            table.styles.height = min(max(len(rows), 1), MAX_ROWS) + 1
            table.set_source(ListSource(rows), keep_cursor=True)
        self._titles(d)
        self._show_item()

    def _titles(self, d: MediationDetail) -> None:
        active = self._section()
        for section in SECTIONS:
            label = t(f"med.sec.{section}", n=len(_rows(section, d)))
            title = self.query_one(f"#title-{section}", Static)
            # reverse: the app stylesheet fixes the titles' colour, so mark it in the text
            title.update(Text(f"▶ {label} ", style="reverse") if section == active else label)

    def _head_text(self, d: MediationDetail) -> str:
        head = t("med.detail.head", number=d.number, title=escape(d.title),
                 type=t(f"med.type.{d.dispute_type}"), status=t(f"mediation.status.{d.status}"),
                 opened=d.opened_on.isoformat(), building=_none(d.building),
                 case=_none(d.case_number))
        lines = [head, t("med.detail.facts", facts=escape(_none(d.facts)))]
        if d.status != "open":
            referred = t(f"med.referral.{d.referred_to}") if d.referred_to else ""
            lines.append(t("med.detail.outcome", status=t(f"mediation.status.{d.status}"),
                           closed=d.closed_on.isoformat() if d.closed_on else "",
                           referred=referred, reason=escape(d.outcome_reason)))
        return "\n".join(lines)

    def _section(self) -> str:
        focused = self.focused
        if isinstance(focused, VirtualTable) and focused.id:
            return focused.id.removeprefix("sec-")
        return "head"

    def _selected(self) -> str | None:
        focused = self.focused
        row = focused.current_row if isinstance(focused, VirtualTable) else None
        return row.key if row else None

    def current_record(self) -> tuple[str, str] | None:
        """Ctrl+Y: the highlighted party, session … or else the mediation itself."""
        key, section = self._selected(), self._section()
        if key and section in SECTION_TABLES:
            return (SECTION_TABLES[section], key)
        return ("mediation", self.mediation_id)

    def _show_item(self) -> None:
        d, key, section = self.detail, self._selected(), self._section()
        text = self._item_text(d, section, key) if d and key else ""
        self.query_one("#med-item", Static).update(text)

    def _item_text(self, d: MediationDetail, section: str, key: str) -> str:
        if section == "sessions":
            s = next(x for x in d.sessions if x.id == key)
            return t("med.item.session", when=s.held_at.strftime("%Y-%m-%d %H:%M"),
                     place=t(f"med.place.{s.place}"), attendees=escape(_none(s.attendees)),
                     said_a=escape(_none(s.said_a)), said_b=escape(_none(s.said_b)),
                     notes=escape(_none(s.notes)), bases=escape(_none(_bases(s))))
        if section == "terms":
            a = next(x for x in d.terms if x.id == key)
            return t("med.item.term", party=escape(a.party), obligation=escape(a.obligation),
                     deadline=a.deadline.isoformat() if a.deadline else "—",
                     cost=med.yuan(a.cost_fen) or "—", status=t(f"med.check.{a.status}"))
        if section == "follow_ups":
            f = next(x for x in d.follow_ups if x.id == key)
            return t("med.item.follow_up", at=f.at.strftime("%Y-%m-%d %H:%M"),
                     by=escape(f.by), notes=escape(_none(f.notes)), checks=_checks(d, f.checks))
        if section == "parties":
            p = next(x for x in d.parties if x.id == key)
            return t("med.item.party", side=t(f"med.side.{p.side}"), name=escape(p.name),
                     address=escape(_none(p.address)), contact=_none(p.contact))
        return ""

    def on_virtual_table_highlighted(self) -> None:
        self._show_item()

    def on_descendant_focus(self) -> None:
        self._show_item()
        self._mark_section()
        if self.detail is not None:
            self._titles(self.detail)

    def _mark_section(self) -> None:
        """The section in focus is marked (▶, highlighted) so the keys' target is clear."""
        active = self._section()
        for section in SECTIONS:
            title = self.query_one(f"#title-{section}", Static)
            title.set_class(section == active, "-active")

    # actions ----------------------------------------------------------------------
    def _after(self, saved: str | None) -> None:
        if saved:
            self.reload()
            self.notify(t("med.saved"), timeout=2)

    def _push(self, form: Callable[[], MedForm]) -> None:
        self.app.push_screen(form(), self._after)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_new(self) -> None:
        d, c = self.detail, self.community_id
        if d is None:
            return
        forms: dict[str, Callable[[], MedForm]] = {
            "head": lambda: party_form(c, d.id, side="B" if d.side("A") else "A"),
            "parties": lambda: party_form(c, d.id, side="B" if d.side("A") else "A"),
            "mediators": lambda: mediator_form(c, d.id),
            "sessions": lambda: session_form(c, d.id),
            "terms": lambda: term_form(c, d),
            "follow_ups": lambda: follow_up_form(c, d),
        }
        self._push(forms[self._section()])

    def action_edit(self) -> None:
        d, c, key, section = self.detail, self.community_id, self._selected(), self._section()
        if d is None:
            return
        if section == "head":
            self._push(lambda: mediation_form(c, d))
        elif section == "parties" and key:
            party = next(p for p in d.parties if p.id == key)
            self._push(lambda: party_form(c, d.id, party))
        elif section == "mediators" and key:
            mediator = next(x for x in d.mediators if x.id == key)
            self._push(lambda: mediator_form(c, d.id, mediator))
        elif section == "terms" and key:
            term = next(x for x in d.terms if x.id == key)
            self._push(lambda: term_form(c, d, term))
        elif section in ("sessions", "follow_ups"):
            self.notify(t("med.append_only"), timeout=3)

    def action_follow_up(self) -> None:
        if self.detail:
            d = self.detail
            self._push(lambda: follow_up_form(self.community_id, d))

    def action_outcome(self) -> None:
        if self.detail:
            d = self.detail
            self._push(lambda: outcome_form(self.community_id, d))

    def action_delete(self) -> None:
        section, key = self._section(), self._selected()
        removers = {"parties": med.remove_party, "mediators": med.remove_mediator,
                    "terms": med.remove_term}
        if section not in removers or key is None:
            return
        row = self.query_one(f"#sec-{section}", VirtualTable).current_row
        what = " ".join(str(c) for c in row.cells[:2]) if row else ""

        def refused(exc: Exception) -> bool:
            if isinstance(exc, med.MediationError):
                self.notify(str(exc), severity="error")
                return True
            return False

        def confirmed(yes: bool | None) -> None:
            if yes:  # waits for an import holding the database (issue 18)
                busy.save(self, lambda: removers[section](key), lambda _: self.reload(), refused)

        self.app.push_screen(ConfirmDialog(t("med.confirm_delete", what=what)), confirmed)

    def action_export(self) -> None:
        self.notify(t("med.exporting"), timeout=2)
        self._export(self.mediation_id)

    @work(thread=True, exclusive=True, group="mediation-export")
    def _export(self, mediation_id: str) -> None:
        try:
            paths = [agreement_doc.export(mediation_id, fmt) for fmt in agreement_doc.FORMATS]
        except OSError as exc:
            self.app.call_from_thread(self.notify, t("med.export_failed", error=str(exc)),
                                      severity="error")
            return
        self.app.call_from_thread(self.notify, t("med.exported", path="\n".join(
            str(p) for p in paths)), timeout=8)

    def action_next_section(self) -> None:
        self.focus_next()

    def action_prev_section(self) -> None:
        self.focus_previous()
