"""The street demo cut into its ten communities, as the hub receives them (issue 15).

``mulin demo --community street`` fills ONE station with a street of ten communities (one
sync community, one origin). A real street hub hears from ten communities, each with its
own key and its own stations, so the hub figures run on the street cut in ten: the demo
writes one community after the other (its ``community`` row, then everything of that
community, in seq order; the operators and a setting come last), so each community's
changes are one seq range of the street station's log. For community *i* this writes

* ``community-i.key``: a key file (a fresh key; the community's own id, the id of its
  ``community`` row, is the sync community, as on any station);
* ``community-i.mulin``: a full bundle from a station of its own (id derived from the
  community's, prefix ``SA``…``SJ`` as the demo numbers its cases), holding that
  station's registration, the community's changes and the shared tail, renumbered
  1…n with their original stamps (the street station's id replaced by the new one
  wherever it appears: the writers' clocks in ``base``).

The station's SQLite is opened read only. ``python -m benchmarks.hub_street STATION OUT``.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.data import DB_NAME

PASSPHRASE = "bench-passphrase"
STATION_NAME = "演示站"
_COLUMNS = 'id, seq, hlc, "table", row_id, op, data, operator, base'


@dataclass(frozen=True)
class Piece:
    """One community of the street as a bundle and a key file."""

    index: int
    community_id: str
    name: str
    prefix: str
    station_id: str
    bundle: Path
    key: Path
    changes: int


def _ro(station: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{station / DB_NAME}?mode=ro", uri=True)


def ranges(conn: sqlite3.Connection) -> tuple[str, list[tuple[str, str, int, int]], int]:
    """(street station id, [(community id, name, first seq, last seq)], first tail seq)."""
    (origin,) = conn.execute("SELECT DISTINCT origin FROM change").fetchall()
    starts = conn.execute('SELECT row_id, seq FROM change WHERE "table" = \'community\' '
                          "AND op = 'insert' ORDER BY seq").fetchall()
    names = dict(conn.execute("SELECT id, name FROM community").fetchall())
    tail = conn.execute("SELECT min(seq) FROM change WHERE \"table\" = 'operator'"
                        ).fetchone()[0]
    ends = [seq - 1 for _cid, seq in starts[1:]] + [tail - 1]
    return origin[0], [(cid, names[cid], seq, end)
                       for (cid, seq), end in zip(starts, ends, strict=True)], tail


def _rows(conn: sqlite3.Connection, first: int, last: int | None) -> Iterator[tuple[Any, ...]]:
    where = "seq >= ?" + ("" if last is None else " AND seq <= ?")
    args = (first,) if last is None else (first, last)
    yield from conn.execute(f"SELECT {_COLUMNS} FROM change WHERE {where} ORDER BY seq", args)


def _changes(conn: sqlite3.Connection, old: str, new: str, key_id: str, prefix: str,
             first: int, last: int, tail: int) -> Iterator[dict[str, Any]]:
    first_row = conn.execute(f"SELECT {_COLUMNS} FROM change WHERE seq = 1").fetchone()
    registration = {"community_key_id": key_id, "deleted": 0, "id": new,
                    "name": STATION_NAME, "prefix": prefix}
    yield {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{new}:1")), "origin": new, "seq": 1,
           "hlc": first_row[2], "table": "station", "row_id": new, "op": "insert",
           "data": registration, "operator": first_row[7] or "", "base": ""}
    seq = 1
    for part in (_rows(conn, first, last), _rows(conn, tail, None)):
        for cid, _seq, hlc, table, row_id, op, data, operator, base in part:
            seq += 1
            yield {"id": cid, "origin": new, "seq": seq, "hlc": hlc, "table": table,
                   "row_id": row_id, "op": op,
                   "data": json.loads(data.replace(old, new) if old in data else data),
                   "operator": operator or "", "base": (base or "").replace(old, new)}


def split(station: Path, out: Path) -> list[Piece]:
    """Write the ten bundles and key files into ``out`` (see the module docstring)."""
    from app.services.sync import bundle, keys

    out.mkdir(parents=True, exist_ok=True)
    conn = _ro(station)
    try:
        old, communities, tail = ranges(conn)
        count_tail = conn.execute("SELECT count(*) FROM change WHERE seq >= ?",
                                  (tail,)).fetchone()[0]
        pieces = []
        for i, (cid, name, first, last) in enumerate(communities):
            new = str(uuid.uuid5(uuid.NAMESPACE_URL, f"mulin-bench-station:{cid}"))
            prefix = f"S{chr(65 + i)}"
            key = keys.new_key()
            count = 1 + (last - first + 1) + count_tail
            header = {"community": cid, "key_id": keys.key_id(key), "source": new,
                      "source_name": f"{STATION_NAME} ({prefix})", "bundle_id": str(uuid.uuid4()),
                      "created_at": "2026-11-25 02:00:00", "coverage": {new: [1, count]},
                      "requires": {new: 0}, "acks": {new: count}, "count": count, "peers": {}}
            data = bundle.encode(header, _changes(conn, old, new, keys.key_id(key), prefix,
                                                  first, last, tail), key)
            piece = Piece(i, cid, name, prefix, new, out / f"community-{i}.mulin",
                          out / f"community-{i}.key", count)
            bundle.write_atomically(piece.bundle, data)
            sealed = keys.SealedKey(cid, key, name, [{"id": new, "name": STATION_NAME,
                                                      "prefix": prefix}])
            bundle.write_atomically(piece.key, keys.seal(sealed, PASSPHRASE))
            pieces.append(piece)
            print(f"  {name}: {count:,} changes", flush=True)
        return pieces
    finally:
        conn.close()


if __name__ == "__main__":
    for p in split(Path(sys.argv[1]), Path(sys.argv[2])):
        print(p.bundle, p.changes)
