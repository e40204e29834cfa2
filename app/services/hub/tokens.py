"""Upload tokens: which station may send bundles to which community at the hub.

A token is shown once when made (``mulin hub token add``); the hub keeps only its
SHA-256, so a copy of the hub's database lets nobody upload. Revoked tokens stay listed.
"""

from __future__ import annotations

import hashlib
import secrets

from app import clock
from app.i18n import t
from app.services.hub.database import HubError
from models.hub import HubCommunity, HubToken

_PREFIX = "mulin_"


def _hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


def add(community: HubCommunity, station: str) -> str:
    """A new token for ``station`` of ``community``; returns the token (shown once)."""
    if not station.strip():
        raise HubError(t("hub.err.token_station"))
    token = _PREFIX + secrets.token_urlsafe(32)
    HubToken.insert(id=secrets.token_hex(8), community=community.id, station=station.strip(),
                    token_hash=_hash(token), created_at=clock.to_storage(clock.now())).execute()
    return token


def revoke(community: HubCommunity, station: str) -> int:
    """Revoke every live token of ``station``; returns how many were revoked."""
    return int(HubToken.update(revoked_at=clock.to_storage(clock.now())).where(
        (HubToken.community == community.id) & (HubToken.station == station.strip())
        & HubToken.revoked_at.is_null()).execute())


def verify(token: str) -> HubToken | None:
    """The live token row for ``token``, or None (unknown or revoked)."""
    if not token:
        return None
    row = HubToken.get_or_none(HubToken.token_hash == _hash(token))
    return row if row is not None and row.revoked_at is None else None


def listing(community: HubCommunity) -> list[HubToken]:
    return list(HubToken.select().where(HubToken.community == community.id)
                .order_by(HubToken.station, HubToken.created_at))
