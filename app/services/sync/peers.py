"""What this station knows of its peers: their names, what each holds (acknowledgements,
learnt from bundle headers and relayed), and whose clock runs ahead of ours.

Acknowledgements only grow; the export sends every origin's changes above the lowest
acknowledgement of all peers (:mod:`~app.services.sync.exchange`). A bundle created, or
stamped by its own station, further ahead of our clock than the community's tolerance
(setting ``sync.clock_skew_minutes``) leaves a warning that the sync screen shows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app import clock, store
from app.i18n import t
from app.services.station import settings
from app.services.sync.bundle import Bundle
from models.sync import LocalState, Peer, Station

#: Setting (community-wide): how far ahead of ours another station's clock may run.
SKEW_SETTING = "sync.clock_skew_minutes"
DEFAULT_SKEW_MINUTES = 15
WARNINGS_STATE = "sync.clock_warnings"


@dataclass
class SkewWarning:
    station: str
    ahead_minutes: int

    def text(self) -> str:
        return t("sync.skew", station=self.station, minutes=self.ahead_minutes)


def station_names() -> dict[str, str]:
    return {s.id: f"{s.name} ({s.prefix})" for s in Station.select()}


def display_name(origin: str, names: dict[str, str]) -> str:
    return names.get(origin, origin[:8])


def stamp_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def merge_acks(station_id: str, acks: dict[str, int], name: str = "",
                heard: datetime | None = None, created: datetime | None = None) -> None:
    """Raise what we know ``station_id`` holds (acks only grow); write only if new."""
    peer = Peer.get_or_none(Peer.id == station_id)
    if peer is None:
        Peer.insert(id=station_id, name=name, acks=json.dumps(acks, sort_keys=True),
                    last_heard=heard, bundle_created=created).execute()
        return
    merged = json.loads(peer.acks)
    for origin, seq in acks.items():
        merged[origin] = max(merged.get(origin, 0), seq)
    newer = created is not None and (peer.bundle_created is None
                                     or created > peer.bundle_created)
    if merged == json.loads(peer.acks) and not newer:
        return
    values: dict[str, Any] = {"acks": json.dumps(merged, sort_keys=True)}
    if newer:
        values.update(name=name or peer.name, last_heard=heard, bundle_created=created)
    Peer.update(values).where(Peer.id == station_id).execute()


def record_peer(b: Bundle) -> None:
    """Remember what the source holds, and what it knows the others hold."""
    h = b.header
    me = store.context().station_id
    merge_acks(h.source, h.acks, h.source_name, clock.to_storage(clock.now()),
                stamp_time(h.created_at))
    for station_id, acks in sorted(h.peers.items()):
        if station_id not in (me, h.source):
            merge_acks(station_id, acks)


def tolerance_minutes() -> int:
    value = settings.get_json(SKEW_SETTING)
    try:
        return int(value) if value is not None else DEFAULT_SKEW_MINUTES
    except (TypeError, ValueError):
        return DEFAULT_SKEW_MINUTES


def skew_warnings(b: Bundle) -> list[SkewWarning]:
    """Stations whose own clock (not one they copied) runs ahead of ours."""
    now = clock.to_storage(clock.now())
    limit = timedelta(minutes=tolerance_minutes())
    ahead: dict[str, timedelta] = {}
    created = stamp_time(b.header.created_at)
    if created - now > limit:
        ahead[b.header.source] = created - now
    now_ms = int(clock.now().timestamp() * 1000)
    for origin, ms in b.own_clock_ms.items():
        if ms - now_ms > limit.total_seconds() * 1000:
            ahead[origin] = max(ahead.get(origin, timedelta(0)),
                                timedelta(milliseconds=ms - now_ms))
    names = station_names() | {b.header.source: b.header.source_name}
    return [SkewWarning(display_name(o, names), int(d.total_seconds() // 60))
            for o, d in sorted(ahead.items())]


def remember_skew(warnings: list[SkewWarning]) -> None:
    row = LocalState.get_or_none(LocalState.id == WARNINGS_STATE)
    kept = json.loads(row.value) if row else []
    at = clock.now().isoformat()
    kept = [w for w in kept if w["station"] not in {x.station for x in warnings}]
    kept += [{"station": w.station, "minutes": w.ahead_minutes, "at": at} for w in warnings]
    LocalState.replace(id=WARNINGS_STATE, value=json.dumps(kept, ensure_ascii=False)).execute()


def clock_warnings() -> list[SkewWarning]:
    row = LocalState.get_or_none(LocalState.id == WARNINGS_STATE)
    return [SkewWarning(w["station"], int(w["minutes"])) for w in json.loads(row.value)] \
        if row else []
