"""The ranked livelihood list 民生清单 (F11, or the palette): every item of the community in
its computed order — live items by urgency × importance, then households — with filters by
status, loose opinions to group, meetings and the public notice; ``t`` sets the community's
own opinion categories beside 五有五必 (admin only).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from app import keymap
from app.i18n import t
from app.services.civic import detail, items
from screens.base import MulinScreen
from screens.civic.item_form import ItemFormScreen
from screens.widgets.virtual_table import Column, ListSource, Row, VirtualTable

keymap.define("civic.filter", "f", "filter")
keymap.define("civic.mark", "space", "mark")
keymap.define("civic.loose", "o", "loose")
keymap.define("civic.meeting", "m", "meeting")
keymap.define("civic.meetings", "M", "meetings", show=False)
keymap.define("civic.notice", "p", "notice")
keymap.define("civic.funnel", "c", "funnel")
keymap.define("civic.categories", "t", "categories")

FILTERS = ("", *items.STATUSES)
STATUS_STYLE = {"done": "dim", "rejected": "dim", "in_progress": "green", "pending": ""}


def columns() -> list[Column]:
    spec = (("rank", 3), ("title", 14), ("urgency", 4), ("importance", 4), ("households", 4),
            ("opinions", 4), ("kind", 8), ("status", 8), ("building", 6), ("owner", 0))
    return [Column(t(f"civic.col.{name}"), width) for name, width in spec]


def item_row(r: items.ItemRow, marked: bool = False) -> Row:
    title = ("✓ " if marked else "") + r.title
    return Row(r.id, [str(r.rank), title, "★" * r.urgency, "★" * r.importance,
                      str(r.households), str(r.opinions), t(f"civic.kind_short.{r.kind}"),
                      t(f"civic.status_short.{r.status}"), r.building or t("civic.community_short"),
                      r.owner + (f" {r.case_number}" if r.case_number else "")],
               style=STATUS_STYLE.get(r.status, ""))


@keymap.bound
class LivelihoodScreen(MulinScreen):
    """The community's 民生清单 in rank order."""

    NAME = "civic"
    KEYS = ("nav.open", "nav.new", "civic.filter", "civic.mark", "civic.meeting",
            "civic.meetings", "civic.loose", "civic.notice", "civic.funnel", "civic.categories")

    def __init__(self) -> None:
        super().__init__()
        self.status = ""
        self.marked: set[str] = set()

    def compose_body(self) -> ComposeResult:
        yield Static(id="civic-summary", classes="section-title")
        yield VirtualTable(columns(), id="civic-table")

    def on_mount(self) -> None:
        self.reload(keep_cursor=False)
        self.query_one(VirtualTable).focus()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self, keep_cursor: bool = True) -> None:
        rows = items.ranked(self.community_id, status=self.status or None)
        self.query_one(VirtualTable).set_source(
            ListSource([item_row(r, r.id in self.marked) for r in rows]), keep_cursor)
        s = detail.summary(self.community_id)
        text = Text(t("civic.summary", items=s.items, opinions=s.opinions, loose=s.loose,
                      **{k: v for k, v in s.by_status.items()}))
        if self.status:
            text.append("  " + t("civic.filtered", status=t(f"civic.status.{self.status}")),
                        style="bold")
        self.query_one("#civic-summary", Static).update(text)

    @property
    def current(self) -> str | None:
        row = self.query_one(VirtualTable).current_row
        return row.key if row else None

    def on_virtual_table_chosen(self, event: VirtualTable.Chosen) -> None:
        self.action_open()

    def action_open(self) -> None:
        if self.current:
            from screens.civic.item_detail import ItemDetailScreen

            self.app.push_screen(ItemDetailScreen(self.current))

    def action_new(self) -> None:
        self.app.push_screen(ItemFormScreen(self.community_id), self._saved)

    def _saved(self, item_id: str | None) -> None:
        self.reload()
        if item_id:
            self.query_one(VirtualTable).move_to_key(item_id)

    def action_filter(self) -> None:
        self.status = FILTERS[(FILTERS.index(self.status) + 1) % len(FILTERS)]
        self.reload(keep_cursor=False)

    def action_mark(self) -> None:
        if self.current:
            self.marked.symmetric_difference_update({self.current})
            self.reload()
            self.query_one(VirtualTable).action_cursor(1)

    def action_loose(self) -> None:
        from screens.civic.loose import LooseOpinionsScreen

        self.app.push_screen(LooseOpinionsScreen())

    def action_meeting(self) -> None:
        from screens.civic.meeting_form import MeetingFormScreen

        chosen = sorted(self.marked) or ([self.current] if self.current else [])
        if not chosen:
            return

        def done(meeting_id: str | None) -> None:
            if meeting_id:
                self.marked.clear()
                self.reload()
                from screens.civic.meeting import MeetingScreen

                self.app.push_screen(MeetingScreen(meeting_id))

        self.app.push_screen(MeetingFormScreen(self.community_id, chosen), done)

    def action_meetings(self) -> None:
        from screens.civic.meeting import MeetingsScreen

        self.app.push_screen(MeetingsScreen())

    def action_funnel(self) -> None:
        from screens.civic.funnel import FunnelScreen

        self.app.push_screen(FunnelScreen())

    def action_notice(self) -> None:
        """公示 of the community (empty answer) or of one building (its number)."""
        from app.services.places.views import find_building
        from screens.civic.notice import print_notice
        from screens.widgets.prompt import PromptDialog

        def scope(answer: str | None) -> None:
            if answer is None:
                return
            building = find_building(self.community_id, answer) if answer else None
            if answer and building is None:
                self.notify(t("civic.err.building"), severity="error")
                return
            print_notice(self, building)

        self.app.push_screen(PromptDialog(t("civic.ask.notice")), scope)

    def action_categories(self) -> None:
        """The community's own categories (admin only: others are told why)."""
        from app.services.civic import opinions
        from app.services.trust import operators, permissions
        from screens.widgets.prompt import SavingPrompt

        role = operators.current_role()
        if not permissions.may(role, "settings.manage"):  # the screen asks; the service checks
            self.notify(str(permissions.Refused("settings.manage", role)), severity="error")
            return

        def reason(exc: Exception) -> str | None:
            if isinstance(exc, opinions.CivicError):
                code = next(iter(exc.errors.values()))
                return t(f"civic.err.{code}", most=opinions.MAX_CATEGORIES,
                         chars=opinions.CATEGORY_CHARS)
            return str(exc) if isinstance(exc, permissions.Refused) else None

        def saved(result: object) -> None:
            if result is not None:
                self.notify(t("civic.categories_saved"))

        fixed = "、".join(opinions.category_label(c) for c in opinions.CATEGORIES)
        self.app.push_screen(SavingPrompt(t("civic.ask.categories", fixed=fixed),
                                          "、".join(opinions.own_categories()),
                                          opinions.set_categories, reason), saved)
