"""A station's side of the network exchange (``mulin sync http://HOST:PORT``).

The station seals its bundle as for a file, posts it, and imports the hub's answer with
the same importer as a file. An unreachable hub raises :class:`Unreachable` (the caller
falls back to files); a refusal raises :class:`Refused` with the hub's reason.
"""

from __future__ import annotations

import json
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from app import store
from app.i18n import t
from app.services.station import identity
from app.services.sync import exchange
from app.services.sync.exchange import ExportResult, ImportResult, Progress, SyncResult
from app.services.sync.merge import have_vector
from models.db import db

ENV_TOKEN = "MULIN_HUB_TOKEN"
TIMEOUT_SECONDS = 30
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
    fallback_reason: str = ""
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
        raise Unreachable(t("hub.net.unreachable", url=url,
                            detail=str(getattr(exc, "reason", exc)))) from exc


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
        raise Unreachable(t("hub.net.unreachable", url=url,
                            detail=str(getattr(exc, "reason", exc)))) from exc


def _reason(body: bytes) -> str:
    try:
        return str(json.loads(body.decode("utf-8"))["reason"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return body[:200].decode("utf-8", "replace")


def fallback_folder(given: str | None = None, configured: str = "") -> str:
    """The folder used when the hub is unreachable: given, else ``hub_fallback``."""
    return given or configured


def sync(url: str, token: str, progress: Progress | None = None) -> RemoteResult:
    """Send what the hub may lack, import what it answers."""
    if not token:
        raise Refused(401, t("hub.net.no_token", env=ENV_TOKEN))
    _probe(url)
    with db.connection_context():
        data, sent = exchange.build(False, progress)
        own = have_vector().get(store.context().station_id, 0)
    if progress:
        progress(t("hub.net.sending", url=url, n=sent.changes), 0.3)
    reply = _post(url, token, data)
    with db.connection_context():
        identity.mark_exported(own)
    with tempfile.TemporaryDirectory(prefix="mulin-sync-") as tmp:
        path = Path(tmp) / "from-hub.mulin"
        path.write_bytes(reply)
        imports = exchange.import_files([path], progress)
    return RemoteResult(sent, imports)


def sync_or_fallback(url: str, token: str, fallback: str,
                     progress: Progress | None = None) -> HubExchange:
    """Sync with the hub; when it cannot be reached and ``fallback`` names a folder,
    sync by that folder instead (``Unreachable`` otherwise). Refusals are raised."""
    try:
        return HubExchange(sync(url, token, progress))
    except Unreachable as exc:
        if not fallback:
            raise
        if progress:
            progress(str(exc), 0.0)
        return HubExchange(None, str(exc),
                           exchange.sync_folder(Path(os.path.expanduser(fallback)), progress))
