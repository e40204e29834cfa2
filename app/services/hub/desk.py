"""What the street desk (``mulin hub``, ``screens/hub/``) asks of the hub, safe to call
from the desk's thread workers.

The stations' code keeps one station context per process (``app.store``), and the hub
switches it per community; so the desk's calls take turns (one lock), each on the
calling thread's own connection. A database failure (the server gone, a broken
connection, a missing table) becomes :class:`DeskError` with one line of reason, which
the screens show instead of a traceback; the hub's own refusals stay ``HubError``.

``mulin hub`` calls :func:`start` as soon as the hub is open: F2's figures are then read
in a thread of their own while the desk's screens are still being imported and drawn
(PostgreSQL works meanwhile), and the first screen takes them (:func:`first_figures`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

from peewee import PeeweeException

from app.i18n import t
from app.services.cases import metrics
from app.services.hub import database as hubdb
from app.services.hub import overview, street
from models.db import db

if TYPE_CHECKING:
    from app.services.cases import lifecycle

T = TypeVar("T")
Figures = tuple[metrics.Period, list[overview.CommunityFigures]]
_TURN = threading.Lock()
_first: Future[Figures] | None = None  # F2's figures, read since start()


class DeskError(RuntimeError):
    """The hub's database failed to answer; ``str()`` says why in one line."""


@contextmanager
def _turn() -> Iterator[None]:
    import psycopg

    with _TURN:
        try:
            with db.connection_context():
                yield
        except (PeeweeException, psycopg.Error) as exc:
            detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise DeskError(t("hub.desk.failed", detail=detail)) from exc


def _call(work: Callable[[], T]) -> T:
    with _turn():
        return work()


def start() -> str:
    """The joined communities' prefixes (``JD/JE``; empty: none), and F2's figures read
    from now on in a thread of their own (the hub is open on this thread)."""
    global _first
    prefixes = "/".join(c.prefix for c in hubdb.communities())
    if prefixes:
        future: Future[Figures] = Future()
        _first = future
        threading.Thread(target=_read_first, args=(future,), name="hub-first",
                         daemon=True).start()
    return prefixes


def _read_first(future: Future[Figures]) -> None:
    try:
        future.set_result(_call(overview.street_figures))
    except BaseException as exc:  # noqa: BLE001 - handed to whoever takes the figures
        future.set_exception(exc)


def first_figures() -> Figures | None:
    """F2's figures if :func:`start`'s reading is done and went well (taken once)."""
    global _first
    first = _first
    if first is None or not first.done() or first.exception() is not None:
        return None
    _first = None
    return first.result()


def figures() -> Figures:
    """F2: every community side by side, this month (the first time: :func:`start`'s)."""
    global _first
    first, _first = _first, None
    return first.result() if first is not None else _call(overview.street_figures)


def queue() -> list[street.StreetCase]:
    """F3: the street queue."""
    return _call(street.queue)


def act(number: str, action: str, note: str, actor: str) -> str:
    """A street action on a case; its state after (``HubError``: refused, nothing written)."""
    return _call(lambda: street.act(number, action, note, actor))


def community_names() -> list[str]:
    return _call(lambda: [c.name for c in hubdb.communities()])


def order(community: str, description: str, actor: str) -> lifecycle.NewCase:
    """A new work order (12345) entered at the street for the community named."""
    return _call(lambda: street.new_order(hubdb.find(community), description, actor=actor))
