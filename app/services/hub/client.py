"""A station's side of the network exchange (``mulin sync http://HOST:PORT``).

The station seals its bundle as for a file, posts it, and imports the hub's answer with
the same importer as a file. An unreachable hub raises :class:`Unreachable` (the caller
falls back to files); a refusal raises :class:`Refused` with the hub's reason.
"""

from __future__ import annotations

import json
import os
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from app import clock, store
from app.config import Paths
from app.i18n import t
from app.oserrors import os_reason
from app.services.station import identity
from app.services.sync import bundle, exchange
from app.services.sync.exchange import ExportResult, ImportResult, Progress, SyncResult
from app.services.sync.merge import have_vector
from models.bundle import BundleHeader
from models.db import db
from models.sync import LocalState, Peer

ENV_TOKEN = "MULIN_HUB_TOKEN"
ENV_SYNC_DIR = "MULIN_SYNC_DIR"
#: LocalState: per hub URL, the hub's station id in this community (its answers' source).
HUB_STATIONS = "sync.hub_stations"
#: The folder (in the data dir) holding the hub's answer while it is imported.
ANSWERS = "hub"
#: How long a station waits for the hub's answer: a first sync carries a whole community
#: (tens of thousands of changes), which the hub validates and applies before answering.
TIMEOUT_SECONDS = 900
#: How long ``/v1/health`` may take: an unreachable hub sends the station to its folder.
PROBE_SECONDS = 5


class Unreachable(ConnectionError):
    """The hub could not be reached (no network, wrong address, hub down)."""


class Refused(ValueError):
    """The hub answered with a refusal; ``str()`` is its reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(t("hub.net.refused", status=status, reason=reason))
        self.status = status


@dataclass
class RemoteResult:
    sent: ExportResult
    imports: list[ImportResult]

    @property
    def received(self) -> int:
        """Changes the hub's answer brought that were new or changed here."""
        return sum(r.new + r.updated for r in self.imports)


@dataclass
class HubExchange:
    """One station sync with the hub: its answer, or the folder used instead."""

    remote: RemoteResult | None
    fallback_reason: str = ""  # one line: why, and which folder is used instead
    folder: SyncResult | None = None


def is_url(target: str) -> bool:
    return target.startswith(("http://", "https://"))


def resolve_token(given: str | None, configured: str = "") -> str:
    """``--token`` beats ``MULIN_HUB_TOKEN`` beats ``hub_token`` in settings.toml."""
    return given or os.environ.get(ENV_TOKEN, "") or configured


def _post(url: str, token: str, data: bytes) -> bytes:
    request = urllib.request.Request(
        url.rstrip("/") + "/v1/bundle", data=data, method="POST",
        headers={"Authorization": f"Bearer {token}",
                 "Content-Type": "application/x-mulin-bundle"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return bytes(response.read())
    except urllib.error.HTTPError as exc:
        raise Refused(exc.code, _reason(exc.read())) from exc
    except (urllib.error.URLError, OSError) as exc:
        if isinstance(getattr(exc, "reason", exc), TimeoutError):
            raise Unreachable(t("hub.net.no_answer", url=url, s=TIMEOUT_SECONDS)) from exc
        raise Unreachable(t("hub.net.unreachable", url=url, detail=_why(exc))) from exc


def _probe(url: str) -> None:
    """Is the hub there? Asked before the bundle is sealed, so that an unreachable hub
    sends the station to its sync folder at once rather than after minutes of sealing."""
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/v1/health",
                                    timeout=PROBE_SECONDS) as response:
            response.read()
    except urllib.error.HTTPError:
        return  # something answers: the upload's own answer will say more
    except (urllib.error.URLError, OSError) as exc:
        raise Unreachable(t("hub.net.unreachable", url=url, detail=_why(exc))) from exc


def _why(exc: BaseException) -> str:
    """Why the hub could not be reached, in the interface language."""
    cause = getattr(exc, "reason", exc)
    if isinstance(cause, ConnectionRefusedError):
        return t("hub.net.why.refused")
    if isinstance(cause, TimeoutError):
        return t("hub.net.why.timeout")
    if isinstance(cause, socket.gaierror):
        return t("hub.net.why.no_host")
    return os_reason(cause) if isinstance(cause, OSError) else str(cause)


def _reason(body: bytes) -> str:
    try:
        return str(json.loads(body.decode("utf-8"))["reason"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return body[:200].decode("utf-8", "replace")


def fallback_folder(given: str | None = None, configured: str = "") -> str:
    """The folder used when the hub is unreachable: ``--fallback``, else ``hub_fallback``
    in settings.toml, else ``MULIN_SYNC_DIR`` (the sync screen's folder)."""
    return given or configured or os.environ.get(ENV_SYNC_DIR, "")


def _data_dir() -> Path:
    return Path(str(db.database)).parent


def _answer_file(url: str) -> Path:
    """Where the hub's answer is kept while it is imported: ``<data dir>/hub/``, named
    after the hub and the time, so the rollback record and a quarantine name it."""
    host = urllib.parse.urlsplit(url).netloc.replace(":", "_") or "hub"
    stamp = clock.now().strftime("%Y%m%dT%H%M%S")
    folder = _data_dir() / ANSWERS
    folder.mkdir(exist_ok=True)
    return folder / f"from-{host}-{stamp}{bundle.SUFFIX}"


def _import_answer(url: str, reply: bytes, progress: Progress | None) -> list[ImportResult]:
    """Import the hub's answer exactly as ``mulin import`` imports a file: the rollback
    record (``mulin undo-import``), waiting for a busy database, and a poisoned answer
    moved to ``<data dir>/hub/rejected/``. The file is removed once imported."""
    with db.connection_context():
        path = _answer_file(url)
    bundle.write_atomically(path, reply)
    try:
        return exchange.import_files([path], progress)
    finally:
        path.unlink(missing_ok=True)  # a quarantined answer has moved already


def _check_room() -> None:
    """The check before any import (``BackupError`` when the disk is full), as for files."""
    from app.services.trust import backup

    with db.connection_context():
        backup.before_import(Paths(_data_dir()))


def sync(url: str, token: str, progress: Progress | None = None) -> RemoteResult:
    """Send what the hub may lack, import what it answers.

    Before anything is sent the disk is checked for room, as before a file import
    (:func:`app.services.trust.backup.before_import`: ``BackupError`` when full)."""
    if not token:
        raise Refused(401, t("hub.net.no_token", env=ENV_TOKEN))
    _probe(url)
    # one connection for the whole exchange (the steps' own contexts nest in it): each
    # open and close costs, and the close after a write checkpoints the WAL
    with db.connection_context():
        _check_room()
        data, sent = exchange.build(False, progress, peer=_hub_station(url))
        own = have_vector().get(store.context().station_id, 0)
        if progress:
            progress(t("hub.net.sending", url=url, n=sent.changes), 0.3)
        reply = _post(url, token, data)
        with store.immediate():  # waits while another process writes
            identity.mark_exported(own)
        imports = _import_answer(url, reply, progress)
        if any(r.status in ("applied", "blocked") for r in imports):
            _remember_hub(url, bundle.read_header(reply))
    return RemoteResult(sent, imports)


def _hub_key(url: str) -> str:
    return url.rstrip("/")


def _hub_station(url: str) -> str:
    """The hub's station id in this community, learnt from its last answer ("": none)."""
    row = LocalState.get_or_none(LocalState.id == HUB_STATIONS)
    return str(json.loads(row.value).get(_hub_key(url), "")) if row else ""


def _remember_hub(url: str, header: BundleHeader) -> None:
    """The upload goes to the hub alone: the next one is planned against what the hub
    holds (not the lowest of every peer's, which a station heard from once and never
    again holds down for ever: each day's upload would carry every day before it).
    The answer's acknowledgements are the hub's holdings now, after our upload; they
    replace what we knew (a hub restored from an older dump says so, and is sent the
    gap), where other peers' only ever grow."""
    with db.connection_context(), store.immediate():
        row = LocalState.get_or_none(LocalState.id == HUB_STATIONS)
        known = json.loads(row.value) if row else {}
        known[_hub_key(url)] = header.source
        LocalState.replace(id=HUB_STATIONS, value=json.dumps(known, sort_keys=True)).execute()
        Peer.update(acks=json.dumps(header.acks, sort_keys=True)).where(
            Peer.id == header.source).execute()


def sync_or_fallback(url: str, token: str, fallback: str,
                     progress: Progress | None = None) -> HubExchange:
    """``mulin sync http://…`` and the sync screen's ``h``, one function for both.

    Sync with the hub; when it cannot be reached and ``fallback`` names a folder, sync
    by that folder instead, and say so in ``fallback_reason`` (one line). Without a
    folder ``Unreachable`` is raised; refusals (``Refused``) and a full disk
    (``BackupError``) are raised as they are."""
    try:
        return HubExchange(sync(url, token, progress))
    except Unreachable as exc:
        if not fallback:
            raise
        folder = Path(os.path.expanduser(fallback))
        reason = t("hub.net.falling_back", reason=str(exc), folder=str(folder))
        if progress:
            progress(reason, 0.0)
        _check_room()
        return HubExchange(None, reason, exchange.sync_folder(folder, progress))
