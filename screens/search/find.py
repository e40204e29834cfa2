"""The search box (查找): find anyone and anything in a few keystrokes.

A modal over any screen. Every keystroke starts a query in a thread worker; a result
that arrives after a newer keystroke is discarded (generation counter), so typing never
waits for the database. Up / Down move through the results while typing continues;
Enter opens the highlighted record (or, if the newest results are still on their way,
the first of them as soon as they arrive). The modal dismisses with the chosen
:class:`~app.services.search.lookup.Hit` and the app opens the right screen on it.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from app import keymap
from app.i18n import t
from app.services.search import index as search_index
from app.services.search import lookup as search
from app.services.search.lookup import Group, Hit, Results
from screens.search import keys as _keys  # noqa: F401 - defines the search box's keys
from screens.search.opinion_hit import opinion_line
from screens.widgets.key_footer import KeyFooter


def _care(kinds: list[str]) -> str:
    return " ".join(t(f"search.care.{k}") for k in kinds)


def resident_line(hit: Hit) -> Text:
    """王秀兰  女 85岁  12-3-402  183****1045  独居老人 — enough to tell two apart."""
    info: search.ResidentInfo = hit.extra["info"]
    line = Text()
    line.append(f"{info.name:　<4}", style="bold")
    gender = t(f"search.gender.{info.gender}") if info.gender else " "
    age = t("search.age", n=info.age) if info.age is not None else ""
    line.append(f" {gender} {age:<5}")
    line.append(f" {hit.detail:<10}", style="cyan")
    line.append(f" {info.phone:<11}")
    if info.id_tail:
        line.append(" " + t("search.id_tail", tail=info.id_tail), style="magenta")
    if info.status != "present":
        line.append(" " + t(f"search.status.{info.status}"), style="dim")
    if info.care:
        line.append(" " + _care(info.care), style="yellow")
    return line


def household_line(hit: Hit) -> Text:
    line = Text()
    line.append(f"{hit.title:<10}", style="bold cyan")
    if hit.detail:
        line.append(" " + t("search.head", name=hit.detail))
    line.append(" " + t("search.members", n=hit.extra.get("members", 0)))
    line.append(f" {hit.extra.get('phone', '')}")
    return line


def case_line(hit: Hit) -> Text:
    line = Text()
    line.append(hit.title, style=f"bold {_COLOURS.get(hit.extra.get('colour', ''), '')}")
    line.append(f" {t('state.' + hit.extra.get('state', ''))}")
    if hit.extra.get("reporter"):
        line.append(f" {hit.extra['reporter']}")
    line.append(f" {hit.detail}", style="dim")
    return line


def mediation_line(hit: Hit) -> Text:
    line = Text()
    line.append(hit.title, style="bold")
    line.append(f" {t('mediation.status.' + hit.extra.get('status', ''))} ")
    line.append(hit.detail)
    return line


def building_line(hit: Hit) -> Text:
    return Text.assemble((hit.title, "bold cyan"), " ", hit.detail)


_COLOURS = {"red": "red", "yellow": "yellow", "green": "green"}
_LINES = {"resident": resident_line, "household": household_line, "case": case_line,
          "mediation": mediation_line, "building": building_line, "opinion": opinion_line}


def group_options(group: Group) -> list[Option]:
    """A group header (not selectable), its hits, and a hint when more were found."""
    header = Text(t(f"search.kind.{group.kind}", n=len(group.hits)), style="bold reverse")
    options = [Option(header, disabled=True)]
    for i, hit in enumerate(group.hits):
        line = _LINES[hit.kind](hit)
        line.no_wrap, line.overflow = True, "ellipsis"
        options.append(Option(line, id=f"{group.kind}:{i}"))
    if group.more:
        options.append(Option(Text(t("search.more"), style="dim italic"), disabled=True))
    return options


@keymap.bound
class SearchScreen(ModalScreen[Hit | None]):
    """One search box for residents, households, buildings, cases and mediations."""

    NAME = "search"
    KEYS = ("search.open", "search.down", "search.up", "search.page_down", "search.page_up",
            "app.help", "nav.back")

    DEFAULT_CSS = """
    SearchScreen { align: center top; }
    SearchScreen > #search-box { width: 100%; max-width: 110; height: 1fr;
                                 border: thick $primary; background: $surface;
                                 padding: 0 1; }
    SearchScreen #search-input { margin: 0; }
    SearchScreen #search-results { height: 1fr; border: none; padding: 0; }
    SearchScreen #search-status { height: 1; color: $text-muted; }
    SearchScreen #search-progress { display: none; }
    SearchScreen.indexing #search-progress { display: block; }
    """

    class Found(Message):
        """A worker finished a query (maybe a stale one)."""

        def __init__(self, generation: int, results: Results) -> None:
            super().__init__()
            self.generation, self.results = generation, results

    class Indexed(Message):
        """The index was (re)built (``keys`` made) or found current (``keys`` = -1)."""

        def __init__(self, keys: int) -> None:
            super().__init__()
            self.keys = keys

    class IndexProgress(Message):
        def __init__(self, fraction: float) -> None:
            super().__init__()
            self.fraction = fraction

    def __init__(self, can_see_ids: bool = False, initial: str = "") -> None:
        super().__init__()
        self.can_see_ids = can_see_ids
        self.initial = initial
        self.generation = 0
        self.shown_generation = -1
        self.results: Results | None = None
        self.hits: dict[str, Hit] = {}
        self.ready = False
        self.open_when_ready = False

    def compose(self) -> ComposeResult:
        with Vertical(id="search-box"):
            yield Input(self.initial, placeholder=t("search.placeholder"), id="search-input")
            yield ProgressBar(total=1.0, show_eta=False, id="search-progress")
            yield OptionList(id="search-results")
            yield Static(t("search.hint"), id="search-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.prepare()

    # -- the index -----------------------------------------------------------------
    @work(thread=True, exclusive=True, group="search-index")
    def prepare(self) -> None:
        """Make sure the index exists and is current (a rebuild shows progress)."""
        if search.index_needs_rebuild_in_thread():
            self.post_message(self.IndexProgress(0.0))
            keys = search_index.rebuild_in_thread(self._progress)
        else:
            keys = -1
        self.post_message(self.Indexed(keys))

    def _progress(self, _step: str, fraction: float) -> None:
        self.post_message(self.IndexProgress(fraction))

    def on_search_screen_index_progress(self, message: IndexProgress) -> None:
        self.add_class("indexing")
        self.query_one("#search-status", Static).update(t("search.indexing"))
        self.query_one(ProgressBar).update(progress=message.fraction)

    def on_search_screen_indexed(self, message: Indexed) -> None:
        self.remove_class("indexing")
        self.ready = True
        self.query_one("#search-status", Static).update(t("search.hint"))
        self.start_query(self.query_one(Input).value)

    # -- querying ---------------------------------------------------------------------
    @on(Input.Changed, "#search-input")
    def typed(self, event: Input.Changed) -> None:
        self.start_query(event.value)

    def start_query(self, text: str) -> None:
        self.generation += 1
        if not self.ready:
            return
        self.run_query(text, self.generation)

    @work(thread=True, exclusive=True, group="search")
    def run_query(self, text: str, generation: int) -> None:
        results = search.search_in_thread(text, self.can_see_ids)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Found(generation, results))

    def on_search_screen_found(self, message: Found) -> None:
        if message.generation != self.generation:
            return  # a newer keystroke is on its way: drop this stale answer
        self.show(message.generation, message.results)
        if self.open_when_ready:
            self.open_when_ready = False
            self.action_open()

    def show(self, generation: int, results: Results) -> None:
        self.shown_generation, self.results = generation, results
        options: list[Option] = []
        self.hits = {}
        for group in results.groups:
            for i, hit in enumerate(group.hits):
                self.hits[f"{group.kind}:{i}"] = hit
            options += group_options(group)
        listing = self.query_one(OptionList)
        listing.set_options(options)
        first = next((i for i, o in enumerate(options) if not o.disabled), None)
        listing.highlighted = first
        self.query_one("#search-status", Static).update(self.status_text(results))

    def status_text(self, results: Results) -> str:
        if results.query.empty:
            return t("search.hint")
        if results.empty:
            return t("search.nothing", text=results.query.text)
        return t("search.found", n=len(results.hits))

    # -- moving and opening -----------------------------------------------------------
    def action_move(self, delta: int) -> None:
        listing = self.query_one(OptionList)
        for _ in range(abs(delta)):
            if delta > 0:
                listing.action_cursor_down()
            else:
                listing.action_cursor_up()

    @property
    def highlighted_hit(self) -> Hit | None:
        listing = self.query_one(OptionList)
        if listing.highlighted is None:
            return None
        option = listing.get_option_at_index(listing.highlighted)
        return self.hits.get(option.id or "")

    def action_open(self) -> None:
        if self.shown_generation != self.generation:
            self.open_when_ready = True  # Enter typed ahead of the newest results
            return
        hit = self.highlighted_hit
        if hit is not None:
            self.dismiss(hit)

    @on(Input.Submitted, "#search-input")
    def submitted(self) -> None:
        self.action_open()

    @on(OptionList.OptionSelected, "#search-results")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        hit = self.hits.get(event.option.id or "")
        if hit is not None:
            self.dismiss(hit)

    def action_back(self) -> None:
        self.dismiss(None)

    def action_search(self) -> None:
        """Ctrl+F again: back to the box, text selected for retyping."""
        box = self.query_one(Input)
        box.focus()
        box.select_all()
