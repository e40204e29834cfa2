"""One exchange over the network: a station's bundle in, the hub's answer out.

:func:`exchange` is the whole protocol, free of HTTP so it is tested and reasoned about
alone (``server`` only carries bytes). In order, and before anything is written: the
token (401), the bundle's plain header (400), its community against the token's (403),
a replay of a bundle already imported (409); then the stations' own importer validates
the whole bundle and applies it in one transaction (a refusal is a 400 with its reason
and writes nothing). The answer is a bundle of everything the station has not
acknowledged, sealed with the community key like any other.
"""

from __future__ import annotations

import json
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from app.i18n import t
from app.services.hub import database as hubdb
from app.services.hub import files, tokens
from app.services.sync import bundle, exchange, keys
from app.services.sync.bundle import BundleError
from app.services.sync.merge import have_vector
from models.bundle import BundleHeader
from models.db import db
from models.hub import HubCommunity
from models.sync import ReceivedBundle

#: Default upload limit (bytes); ``mulin hub serve --max-upload MB`` changes it.
MAX_UPLOAD = 64 * 1024 * 1024
#: One exchange at a time per process: the station context (``app.store``) is the
#: process's. The server runs each community in a process of its own (``workers``).
_LOCK = threading.Lock()


@dataclass
class Answer:
    """What the HTTP layer sends back."""

    status: int
    body: bytes = b""
    reason: str = ""
    notes: list[str] = field(default_factory=list)


def refuse(status: int, reason: str) -> Answer:
    return Answer(status, json.dumps({"reason": reason}, ensure_ascii=False).encode(), reason)


def reply_for(acks: dict[str, int]) -> bytes:
    """The hub's bundle for one station: every change above what it acknowledged.

    Built with the exporter's own pieces (``exchange._header`` / ``_changes_above``), but
    planned against this station's acknowledgements instead of the lowest of all peers.
    """
    have = have_vector()
    requires = {o: min(acks.get(o, 0), have[o]) for o in have}
    count = sum(have[o] - requires[o] for o in have)
    header = exchange._header(have, requires, count)
    return bundle.encode(header, exchange._changes_above(requires, have), keys.load_key())


def exchange_bundle(token: str, raw: bytes) -> Answer:
    """Apply one uploaded bundle and answer with the hub's (see the module docstring).

    The hub's database failing meanwhile (restarted, unreachable) is a 503 with its
    reason, not a traceback: the station syncs again later (nothing is applied twice)."""
    import psycopg
    from peewee import PeeweeException

    with _LOCK:
        try:
            with db.connection_context():
                return _exchange(token, raw)
        except (PeeweeException, psycopg.Error) as exc:
            detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            return refuse(503, t("hub.net.db_failed", detail=detail))


def token_community(token: str) -> str | None:
    """The community a live token uploads to (None: unknown or revoked); the server
    routes the upload to that community's worker with it."""
    with db.connection_context():
        row = tokens.verify(token)
        return None if row is None else str(row.community)


def worker_start(db_url: str, language: str) -> None:
    """A community worker process's start: the hub's database, the server's language."""
    from app.i18n import set_lang

    set_lang(language)
    hubdb.open_hub(db_url)
    db.close()  # each exchange opens (and closes) its own connection


@contextmanager
def community_lock(community: HubCommunity) -> Iterator[None]:
    """Hold ``community``'s advisory lock (the key the hub's write transactions take,
    ``models.pg``) on this connection for the whole exchange: uploads of one community
    apply one after the other, whichever process or server receives them."""
    db.execute_sql("SELECT pg_advisory_lock(hashtext(?))", (community.schema_name,))
    try:
        yield
    finally:
        db.execute_sql("SELECT pg_advisory_unlock(hashtext(?))", (community.schema_name,))


def _exchange(token: str, raw: bytes) -> Answer:
    row = tokens.verify(token)
    if row is None:
        return refuse(401, t("hub.net.bad_token"))
    try:
        header = bundle.read_header(raw)
    except BundleError as exc:
        return refuse(400, str(exc))
    community = hubdb.by_id(row.community)
    if community is None or header.community != row.community:
        return refuse(403, t("hub.err.foreign", community=header.community[:8]))
    hubdb.activate(community)
    with community_lock(community):
        return _apply(community, header, raw)


def _apply(community: HubCommunity, header: BundleHeader, raw: bytes) -> Answer:
    """Replay check, import and answer, under the community's lock."""
    if ReceivedBundle.get_or_none(ReceivedBundle.id == header.bundle_id):
        return refuse(409, t("hub.net.replayed"))
    if header.source == community.station_id:
        return refuse(400, t("hub.net.own"))
    results = _import(raw)
    refused = [r for r in results if r.status == "refused"]
    if refused:
        return refuse(400, refused[0].reason)
    files.refresh_name(community)
    notes = [m.text() for r in results for m in r.missing]
    return Answer(200, reply_for(header.acks), notes=notes)


def _import(raw: bytes) -> list[exchange.ImportResult]:
    with tempfile.TemporaryDirectory(prefix="mulin-hub-") as tmp:
        path = Path(tmp) / "upload.mulin"
        path.write_bytes(raw)
        return exchange.import_files([path])
