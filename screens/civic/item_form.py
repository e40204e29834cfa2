"""Item form: title, urgency and importance (1–3), class, category, owner, due date.

New items may carry the opinions they were grouped from. A 小事即办 item opens its linked
case on save. Dismisses with the item id, or None.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Footer, Input, Select, Static

from app.i18n import t
from app.services.civic import items, opinions
from screens.places.resident_form import FormScreen

FIELDS = ("title", "urgency", "importance", "kind", "category", "owner", "due_on", "opinions")


class ItemFormScreen(FormScreen):
    """Create an item (optionally from opinions) or edit one."""

    def __init__(self, community_id: str, item_id: str | None = None,
                 opinion_ids: list[str] | None = None, title: str = "",
                 building_id: str | None = None) -> None:
        super().__init__()
        self.community_id, self.item_id = community_id, item_id
        self.opinion_ids, self.title, self.building_id = opinion_ids or [], title, building_id

    def compose(self) -> ComposeResult:
        old = items.current_form(self.item_id) if self.item_id else None
        levels = [(t(f"civic.level3.{n}"), str(n)) for n in items.LEVELS]
        kinds = [(t(f"civic.kind.{k}"), k) for k in items.KINDS]
        cats = [(opinions.category_label(c), c) for c in opinions.categories()]
        heading = t("civic.form.item_edit") if old else t("civic.form.item_new",
                                                          n=len(self.opinion_ids))
        with Vertical(classes="form"):
            yield Static(heading, classes="form-title")
            yield from self.row("title", Input(old.title if old else self.title,
                                               id="f-title", compact=True))
            yield from self.row("urgency", Select(levels, value=str(old.urgency if old else 2),
                                                  allow_blank=False, id="f-urgency",
                                                  compact=True))
            yield from self.row("importance", Select(
                levels, value=str(old.importance if old else 2), allow_blank=False,
                id="f-importance", compact=True))
            yield from self.row("kind", Select(kinds, value=old.kind if old else "major",
                                               allow_blank=False, id="f-kind", compact=True))
            yield from self.row("category", Select(
                cats, value=old.category if old and old.category in opinions.categories()
                else "119",
                allow_blank=False, id="f-category", compact=True))
            yield from self.row("owner", Input(old.owner if old else "", id="f-owner",
                                               compact=True))
            yield from self.row("due_on", Input(
                old.due_on if old else "", id="f-due_on",
                compact=True, placeholder="YYYY-MM-DD"))
            yield Static("", id="err-opinions", classes="field-error -empty")
            yield Static(t("form.hint"), classes="form-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#f-title", Input).focus()

    def show_error(self, name: str, code: str | None) -> None:
        for err in self.query(f"#err-{name}").results(Static):
            err.update(t(f"civic.err.{code}") if code else "")
            err.set_class(not code, "-empty")

    def _select(self, name: str) -> str:
        return str(self.query_one(f"#f-{name}", Select).value)

    def form(self) -> items.ItemForm:
        return items.ItemForm(title=self.value("title"), urgency=int(self._select("urgency")),
                              importance=int(self._select("importance")),
                              kind=self._select("kind"), category=self._select("category"),
                              owner=self.value("owner"), due_on=self.value("due_on"))

    def action_save(self) -> None:
        form, item_id, community_id = self.form(), self.item_id, self.community_id
        opinion_ids, building_id = self.opinion_ids, self.building_id

        def work() -> str:
            if item_id:
                items.update(item_id, form)
                return item_id
            return items.create(community_id, form, opinion_ids, building_id=building_id)

        self.save_form(work, items.CivicError, FIELDS,
                       lambda saved: t("civic.item_saved", rank=items.rank_of(saved)))
