"""Chunked bundles (format 2, issue 16): a chunk altered, moved, dropped, repeated or cut
off is refused and the station is left exactly as it was; a bad record found late rolls
the whole import back; format-1 files still import; the import reads one chunk at a time."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from app import store
from app.i18n import t
from app.services.station import derived
from app.services.sync import bundle, chunks, exchange, keys, merge
from models.bundle import FORMAT
from models.places import Resident
from tests.sync_support import Net, checkpoint, encode_format1, file_state, seed_content


@pytest.fixture
def net(tmp_path: Path) -> Net:
    n = Net(tmp_path)
    n.add("desk", "DK")
    n.ids = seed_content()  # type: ignore[attr-defined]
    seed = n.export("desk", tmp_path / "seed.mulin", full=True)
    n.add("lap", "LA")
    assert n.import_("lap", seed)[0].status == "applied"
    return n


def _edits(net: Net, n: int = 40) -> None:
    net.use("desk")
    rid = net.ids["residents"][0]  # type: ignore[attr-defined]
    for i in range(n):
        with store.write() as tx:
            tx.update(Resident, rid, phone=f"1380000{i:04d}")


def _small_chunks(monkeypatch: pytest.MonkeyPatch, size: int = 400) -> None:
    monkeypatch.setattr(chunks, "CHUNK_BYTES", size)


def _frames(raw: bytes) -> tuple[bytes, list[bytes]]:
    """(magic, length, header and nonce; each chunk's frame)."""
    (size,) = struct.unpack(">I", raw[8:12])
    at = 12 + size + chunks.NONCE
    head, frames = raw[:at], []
    while at < len(raw):
        (n,) = struct.unpack(">I", raw[at + 1:at + 5])
        frames.append(raw[at:at + 5 + n])
        at += 5 + n
    return head, frames


def _refused_unchanged(net: Net, tmp_path: Path, variants: dict[str, bytes]) -> dict[str, str]:
    net.use("lap")
    checkpoint()
    before = file_state(net.db_file("lap"))
    reasons = {}
    for label, data in variants.items():
        path = tmp_path / f"{label}.mulin"
        path.write_bytes(data)
        with pytest.raises(bundle.BundleError) as err:
            exchange.import_bundle(path)
        reasons[label] = str(err.value)
    assert file_state(net.db_file("lap")) == before
    return reasons


def test_a_bundle_of_many_chunks_imports_and_converges(net: Net, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _edits(net)
    _small_chunks(monkeypatch)
    raw = net.export("desk", tmp_path / "day.mulin").read_bytes()
    assert bundle.read_header(raw).format == FORMAT == 2
    assert len(_frames(raw)[1]) >= 4
    assert net.import_("lap", tmp_path / "day.mulin")[0].status == "applied"
    assert net.digest("lap") == net.digest("desk")


def test_a_chunk_altered_moved_dropped_repeated_or_cut_off_is_refused(
        net: Net, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _edits(net)
    _small_chunks(monkeypatch)
    raw = net.export("desk", tmp_path / "good.mulin").read_bytes()
    other = net.export("desk", tmp_path / "other.mulin").read_bytes()  # same content
    head, frames = _frames(raw)
    assert len(frames) >= 4
    flipped = bytearray(frames[1])
    flipped[20] ^= 0x01
    final_early = bytes([1]) + frames[0][1:]
    reasons = _refused_unchanged(net, tmp_path, {
        "altered": head + frames[0] + bytes(flipped) + b"".join(frames[2:]),
        "reordered": head + frames[1] + frames[0] + b"".join(frames[2:]),
        "dropped": head + frames[0] + b"".join(frames[2:]),
        "repeated": head + frames[0] + frames[0] + b"".join(frames[1:]),
        "final chunk dropped": head + b"".join(frames[:-1]),
        "cut inside a chunk": raw[:len(head) + len(frames[0]) + 30],
        "marked final early": head + final_early,
        "from another bundle": head + frames[0] + _frames(other)[1][1] + b"".join(frames[2:]),
        "trailing bytes": raw + b"\0",
    })
    assert "改动" in reasons["reordered"] and "改动" in reasons["from another bundle"]
    assert "不完整" in reasons["final chunk dropped"]
    assert "不完整" in reasons["cut inside a chunk"]


def _bad_late_bundle(net: Net, n: int) -> dict[str, Any]:
    """``n`` good updates then one that breaks its schema, sealed with the community key."""
    net.use("desk")
    header = exchange._header({"zz": n + 1}, {"zz": 0}, n + 1)
    rid = net.ids["residents"][0]  # type: ignore[attr-defined]
    changes = [{"id": f"c{i}", "origin": "zz", "seq": i, "hlc": f"001795572{i:06d}-000001",
                "table": "resident", "row_id": rid, "op": "update",
                "data": {"phone": f"1{i:010d}"}, "operator": "", "base": ""}
               for i in range(1, n + 1)]
    changes.append({**changes[-1], "id": "bad", "seq": n + 1,
                    "hlc": f"001795572{n + 1:06d}-000001", "data": {"birth_date": "x"}})
    return {"header": header, "changes": changes}


def test_a_bad_record_in_the_last_chunk_rolls_the_whole_import_back(
        net: Net, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _small_chunks(monkeypatch)
    monkeypatch.setattr(merge, "_BATCH", 10)  # runs of ten merged as they stream in
    late = _bad_late_bundle(net, 30)
    raw = bundle.encode(late["header"], late["changes"], keys.load_key())
    assert len(_frames(raw)[1]) >= 4
    applied: list[str] = []
    real_merge = merge.Merger._merge_fields

    def spy(self: merge.Merger, model: Any, change: Any, base: Any) -> Any:
        applied.append(change.id)
        return real_merge(self, model, change, base)

    monkeypatch.setattr(merge.Merger, "_merge_fields", spy)
    reasons = _refused_unchanged(net, tmp_path, {"bad late record": raw})
    assert "第 31 条" in reasons["bad late record"]
    assert len(applied) == 20  # two runs of ten merged in the transaction, then rolled back


def test_a_format_1_bundle_still_imports(net: Net, tmp_path: Path) -> None:
    _edits(net, 5)
    net.use("desk")
    have, requires = exchange._plan(False)
    count = sum(have[o] - requires[o] for o in have)
    header = exchange._header(have, requires, count)
    old = encode_format1(header, list(exchange._changes_above(requires, have)),
                         keys.load_key())
    assert bundle.read_header(old).format == 1
    flipped = bytearray(old)
    flipped[-20] ^= 0x01
    _refused_unchanged(net, tmp_path, {"format 1 altered": bytes(flipped)})
    (tmp_path / "old.mulin").write_bytes(old)
    result = net.import_("lap", tmp_path / "old.mulin")[0]
    assert result.status == "applied" and result.updated >= 1
    assert net.digest("lap") == net.digest("desk")
    assert net.import_("lap", tmp_path / "old.mulin")[0].status == "already"


class _Spy:
    """A file whose reads are recorded (how much at once, how far in)."""

    def __init__(self, inner: IO[bytes]) -> None:
        self.inner, self.furthest = inner, 0
        self.reads: list[int] = []
        _Spy.last = self

    last: _Spy

    def read(self, n: int = -1) -> bytes:
        data = self.inner.read(n)
        self.reads.append(len(data))
        self.furthest = max(self.furthest, self.inner.tell())
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def __enter__(self) -> _Spy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.inner.close()


def test_a_large_bundle_is_read_and_applied_a_chunk_at_a_time(
        net: Net, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    net.use("desk")
    households = net.ids["households"]  # type: ignore[attr-defined]
    with store.write() as tx:
        tx.insert_many(Resident, ({"household": households[i % 3], "name": f"居民{i}"}
                                  for i in range(1500)))
    _small_chunks(monkeypatch, 8192)
    path = net.export("desk", tmp_path / "big.mulin")
    size = path.stat().st_size
    net.use("lap")
    b = bundle.open_bundle(path, keys.load_key(), store.context().community_id)
    assert b.chunked and b.compressed == b""  # nothing of the body is held on opening
    opener = b.opener
    assert opener is not None
    b.opener = lambda: _Spy(opener())  # type: ignore[assignment,return-value]
    records: Iterator[Any] = b.changes()
    next(records)
    assert _Spy.last.furthest < size / 10  # the first record needs only the first chunk
    for _ in records:
        pass
    assert _Spy.last.furthest == size and max(_Spy.last.reads) < size / 10
    # the merge remembers at most MANY ids per table; beyond, the table is refreshed whole
    monkeypatch.setattr(merge, "MANY", 100)
    refreshed: list[set[str]] = []
    real = derived.refresh

    def spy(changed: dict[str, set[str]], every: Any = frozenset()) -> None:
        refreshed.append(set(every))
        assert all(len(ids) <= 100 for ids in changed.values())
        real(changed, every)

    monkeypatch.setattr(derived, "refresh", spy)
    assert net.import_("lap", path)[0].status == "applied"
    assert "resident" in refreshed[0]
    assert net.digest("lap") == net.digest("desk")


def test_a_stations_import_export_and_sync_start_without_the_postgresql_driver() -> None:
    from app import startup

    assert startup.command(["--data-dir", "d", "--lang", "en", "import", "f.mulin"]) == "import"
    assert startup.command(["--lang", "en"]) == "" and startup.is_desk(["--lang", "en"])
    held = {c for c in ("import", "export", "sync", "hub", "check")
            if startup.command([c]) in ("", *startup._SQLITE_ONLY)}
    assert held == {"import", "export", "sync"}  # hub commands keep their driver


def test_a_line_that_is_not_json_is_damage_and_a_wrong_record_is_named() -> None:
    """Format-2 lines are parsed and checked in one pass: a line that is not JSON is
    reported as damage at its line, valid JSON of the wrong shape as a bad record."""
    for line in (b'{"id": "c1", "origin"', b"\xff\xfe", b""):
        with pytest.raises(bundle.BundleError) as damaged:
            bundle._record(7, line)
        assert str(damaged.value) == t("sync.err.damaged", detail="body line 7")
    with pytest.raises(bundle.BundleError) as wrong:
        bundle._record(7, b"[1]")
    assert "第 7 条" in str(wrong.value)
