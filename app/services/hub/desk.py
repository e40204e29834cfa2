"""What the street desk (``mulin hub``, ``screens/hub/``) asks of the hub, safe to call
from the desk's thread workers.

The stations' code keeps one station context per process (``app.store``), and the hub
switches it per community; so the desk's calls take turns (one lock), each on the
calling thread's own connection. A database failure (the server gone, a broken
connection, a missing table) becomes :class:`DeskError` with one line of reason, which
the screens show instead of a traceback; the hub's own refusals stay ``HubError``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
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
_TURN = threading.Lock()


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


def figures() -> tuple[metrics.Period, list[overview.CommunityFigures]]:
    """F2: every community side by side, this month."""
    return _call(overview.street_figures)


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
