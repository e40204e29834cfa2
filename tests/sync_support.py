"""Helpers for the sync tests: several stations of one community in one process.

Only one database is bound at a time (``models.db.db``); :meth:`Net.use` switches.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from app import store
from app.config import Paths
from app.services.cases import lifecycle as cases
from app.services.station import identity as station
from app.services.station import stats
from app.services.sync import exchange
from models.db import db
from models.places import Building, Community, Grid, Household, Resident
from models.schema import SCHEMA_VERSION

COMMUNITY = "community-sync-test"


class Net:
    """Stations sharing one community (demo key, derived from the community id)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.paths: dict[str, Paths] = {}
        self.current: str | None = None

    def add(self, name: str, prefix: str) -> Paths:
        paths = Paths(self.root / name)
        self._bind(paths)
        station.create_station(name, prefix, COMMUNITY)
        self.paths[name] = paths
        self.current = name
        return paths

    def _bind(self, paths: Paths) -> None:
        store.activate(None)
        if not db.is_closed():
            db.close()
        station.open_station(paths)

    def use(self, name: str) -> None:
        if self.current != name:
            self._bind(self.paths[name])
            self.current = name

    @contextmanager
    def at(self, name: str) -> Iterator[None]:
        self.use(name)
        yield

    def export(self, name: str, path: Path, full: bool = False) -> Path:
        self.use(name)
        exchange.export_bundle(path, full)
        return path

    def import_(self, name: str, *paths: Path) -> list[exchange.ImportResult]:
        self.use(name)
        return exchange.import_files(list(paths))

    def digest(self, name: str) -> str:
        self.use(name)
        return stats.digest()

    def db_file(self, name: str) -> Path:
        return self.paths[name].database


def seed_content(households: int = 3, residents: int = 4, n_cases: int = 2) -> dict[str, list[str]]:
    """A tiny community written through the store and the cases service."""
    with store.write() as tx:
        cid = tx.insert(Community, id=COMMUNITY, name="同步社区")
        gid = tx.insert(Grid, community=cid, number=1, name="第1网格")
        bids = [tx.insert(Building, community=cid, grid=gid, number=str(n)) for n in (1, 2)]
        hids = [tx.insert(Household, building=bids[i % 2], room=f"10{i}")
                for i in range(households)]  # moves cross buildings
        rids = [tx.insert(Resident, household=hids[i % households], name=f"居民{i}",
                          phone=f"1380000000{i}") for i in range(residents)]
    case_ids = [cases.intake({"category": "110", "description": f"诉求{i}"}).id
                for i in range(n_cases)]
    return {"households": hids, "residents": rids, "cases": case_ids}


def file_state(path: Path) -> tuple[bytes, bytes]:
    """The database file's bytes and its WAL's (what a refused import must not touch)."""
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes(), wal.read_bytes() if wal.exists() else b""


def checkpoint() -> None:
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def desk_and_empty_laptop(root: Path, residents: int) -> tuple[Net, Path, str, str]:
    """A desk holding ``residents`` extra residents and its full bundle, plus a pristine
    laptop of the same community. Returns (net, bundle, desk digest, laptop digest) with
    no station active and the database closed, ready for a subprocess to open it."""
    net = Net(root)
    net.add("desk", "DK")
    ids = seed_content()
    with store.write() as tx:
        tx.insert_many(Resident, ({"household": ids["households"][i % 3], "name": f"人{i}"}
                                  for i in range(residents)))
    bundle = net.export("desk", root / "big.mulin", full=True)
    desk = stats.digest()
    net.add("lap", "LA")
    laptop = stats.digest()
    store.activate(None)
    db.close()
    return net, bundle, desk, laptop


def encode_format1(header: dict[str, Any], changes: list[dict[str, Any]], key: bytes) -> bytes:
    """A format-1 bundle (one ChaCha20-Poly1305 message), byte for byte as Mulin wrote
    them before issue 16's chunked format: stations in the field still hold such files."""
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    from app.services.sync import keys, legacy

    packer = zlib.compressobj(6)
    body = b"".join(packer.compress((json.dumps(c, ensure_ascii=False, separators=(",", ":"))
                                     + "\n").encode("utf-8")) for c in changes)
    compressed = body + packer.flush()
    nonce = os.urandom(12)
    sealed = {**header, "format": 1, "schema_version": SCHEMA_VERSION,
              "body_bytes": len(compressed) + 16, "body_sha256": ""}
    box = ChaCha20Poly1305(keys.bundle_key(key)).encrypt(nonce, compressed, legacy.ad(sealed))
    sealed["body_sha256"] = hashlib.sha256(nonce + box).hexdigest()
    head = json.dumps(sealed, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return b"MULINBDL" + struct.pack(">I", len(head)) + head + nonce + box
