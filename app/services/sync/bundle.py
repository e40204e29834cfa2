"""The bundle file: a plain header, then a body that is compressed, encrypted, authenticated.

Layout (format 2, written since issue 16)::

    b"MULINBDL"                      8 bytes, magic
    header length                    4 bytes, big-endian
    header                           UTF-8 JSON (models.bundle.BundleHeader)
    nonce                            12 bytes, random per bundle
    chunks                           see app.services.sync.chunks: each its own
                                     ChaCha20-Poly1305 message of zlib(JSON lines)

Format 1 (still read: stations in the field hold such files) has one message instead of
the chunks — ChaCha20-Poly1305(zlib(all lines)) — whose length and SHA-256 the header
gives (``body_bytes``, ``body_sha256``; format 2 leaves them 0 and empty, its chunks
authenticate themselves and the final chunk says where the body ends).

The header (format version, community, key fingerprint, source station, creation time,
coverage per origin as seq ranges, what the receiver must already hold, what the source
has received) is readable without the key, so a refusal can say *why*; every chunk's
associated data covers the magic, length and header, so none of it can be altered
unnoticed. Changes are written in stamp order ``(hlc, origin)``, one JSON object per
line, so both ends stream them: the export never holds the change list, and the import
holds one chunk at a time (:meth:`Bundle.changes` checks each record as it reads it).
"""

from __future__ import annotations

import io
import json
import os
import struct
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from app.atomic import atomic_file
from app.atomic import write_atomically as write_atomically
from app.hlc import decode as decode_hlc
from app.i18n import t
from app.oserrors import os_reason
from app.services.sync import chunks, keys, legacy
from app.services.sync.errors import BundleError
from models.bundle import FORMAT, BundleHeader, ChangeRecord, RecordError, check_record
from models.schema import BY_NAME, SCHEMA_VERSION

__all__ = ["MAGIC", "SUFFIX", "Bundle", "BundleError", "decode", "encode", "open_bundle",
           "read_file", "read_header", "read_header_file", "write", "write_file"]

MAGIC = b"MULINBDL"
SUFFIX = ".mulin"
_NONCE = chunks.NONCE
_PREFIX = len(MAGIC) + 4
_MAX_HEADER = 4 * 1024 * 1024

Opener = Callable[[], IO[bytes]]


@dataclass
class Bundle:
    """A bundle whose header is checked; its records are read (and checked) on demand."""

    header: BundleHeader
    opener: Opener | None = None  # format 2: a fresh stream over the whole file
    head: bytes = b""  # format 2: magic, length and header as written
    key: bytes = b""  # the bundle subkey
    compressed: bytes = b""  # format 1: the decrypted body, still compressed
    #: per origin: the latest wall-clock millisecond it stamped by itself (logical 0);
    #: filled by a full pass over :meth:`changes`
    own_clock_ms: dict[str, int] = field(default_factory=dict)

    @property
    def chunked(self) -> bool:
        return self.opener is not None

    def changes(self) -> Iterator[ChangeRecord]:
        """The records in stamp order, each checked as it is read (schema, order,
        coverage); :class:`BundleError` at the first fault, so a caller applying them
        inside one transaction rolls it all back."""
        order = _Order(self.header)
        self.own_clock_ms = {}
        for n, item in self._items():
            change = _record(n, item)
            order.step(n, change, self.own_clock_ms)
            yield change
        order.end()

    def check(self) -> None:
        """Read and check every record (nothing is kept)."""
        for _change in self.changes():
            pass

    def authenticate(self) -> None:
        """Open every chunk without reading the records (format 1: done on opening)."""
        if self.opener is not None:
            for _block in self._blocks(inflate=False):
                pass

    def _blocks(self, inflate: bool = True) -> Iterator[bytes]:
        assert self.opener is not None
        with self.opener() as stream:
            stream.seek(len(self.head))
            nonce = stream.read(_NONCE)
            try:
                yield from chunks.open_chunks(stream, self.key, chunks.header_digest(self.head),
                                              nonce, inflate)
            except chunks.ChunkError as exc:
                raise BundleError(str(exc)) from exc

    def _items(self) -> Iterator[tuple[int, Any]]:
        if self.opener is None:
            yield from legacy.lines(self.compressed)
            return
        n = 0
        for block in self._blocks():
            lines = block.split(b"\n")
            if lines.pop():
                raise BundleError(t("sync.err.damaged", detail=f"body line {n + 1}"))
            for line in lines:  # parsed and checked in one pass by :func:`_record`
                n += 1
                yield n, line


# -- writing ---------------------------------------------------------------------------
def write(out: IO[bytes], header: dict[str, Any], changes: Iterable[dict[str, Any]],
          key: bytes) -> None:
    """Write a bundle to ``out`` (``header`` without format, schema and body fields).

    ``changes`` must come in stamp order and match the header's coverage and count.
    """
    sealed = {**header, "format": FORMAT, "schema_version": SCHEMA_VERSION,
              "body_bytes": 0, "body_sha256": ""}
    head = json.dumps(sealed, ensure_ascii=False, sort_keys=True).encode("utf-8")
    plain = MAGIC + struct.pack(">I", len(head)) + head
    nonce = chunks.Sealer.new_nonce()
    out.write(plain + nonce)
    sealer = chunks.Sealer(out, keys.bundle_key(key), chunks.header_digest(plain), nonce)
    count = 0
    for change in changes:
        line = json.dumps(change, ensure_ascii=False, separators=(",", ":")) + "\n"
        sealer.add(line.encode("utf-8"))
        count += 1
    if count != header["count"]:
        raise ValueError(f"{count} changes for a header announcing {header['count']}")
    sealer.close()


def encode(header: dict[str, Any], changes: Iterable[dict[str, Any]], key: bytes) -> bytes:
    """The bytes of a bundle file (see :func:`write`)."""
    out = io.BytesIO()
    write(out, header, changes, key)
    return out.getvalue()


def write_file(path: Path, header: dict[str, Any], changes: Iterable[dict[str, Any]],
               key: bytes) -> None:
    """Write a bundle straight to ``path`` through ``path.part`` (renamed when complete)."""
    with atomic_file(path) as fh:
        write(fh, header, changes, key)


# -- the plain header ----------------------------------------------------------------------
def read_header(raw: bytes) -> BundleHeader:
    """Parse and check the plain header (no key needed)."""
    return _read_head(io.BytesIO(raw), len(raw))[0]


def read_header_file(path: Path) -> BundleHeader:
    """The plain header of a bundle file, reading only the header's bytes."""
    with _opener(path)() as stream:
        return _read_head(stream, os.fstat(stream.fileno()).st_size)[0]


def _read_head(stream: IO[bytes], total: int) -> tuple[BundleHeader, bytes]:
    """(header, the bytes of magic, length and header) from the start of ``stream``."""
    prefix = stream.read(_PREFIX)
    if prefix[:len(MAGIC)] != MAGIC:
        raise BundleError(t("sync.err.not_bundle"))
    if len(prefix) < _PREFIX:
        raise BundleError(t("sync.err.truncated", have=total, need=_PREFIX))
    (size,) = struct.unpack(">I", prefix[len(MAGIC):])
    if size > _MAX_HEADER:
        raise BundleError(t("sync.err.damaged", detail="header length"))
    text = stream.read(size)
    if len(text) < size:
        raise BundleError(t("sync.err.truncated", have=total, need=_PREFIX + size))
    try:
        doc = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BundleError(t("sync.err.damaged", detail="header")) from exc
    if not isinstance(doc, dict):
        raise BundleError(t("sync.err.damaged", detail="header"))
    version = doc.get("format")
    if isinstance(version, int) and version > FORMAT:
        raise BundleError(t("sync.err.newer_format", v=version, ours=FORMAT))
    schema = doc.get("schema_version")
    if isinstance(schema, int) and schema > SCHEMA_VERSION:
        raise BundleError(t("sync.err.newer_schema", v=schema, ours=SCHEMA_VERSION))
    try:
        return BundleHeader.model_validate(doc), prefix + text
    except ValidationError as exc:
        raise BundleError(t("sync.err.damaged", detail=_first_error(exc))) from exc


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    return f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"


# -- opening ---------------------------------------------------------------------------------
def _opener(path: Path) -> Opener:
    def open_file() -> IO[bytes]:
        try:
            return path.open("rb")
        except OSError as exc:
            raise BundleError(t("sync.err.cannot_read", path=str(path),
                                detail=os_reason(exc))) from exc
    return open_file


def open_bundle(source: Path | bytes, key: bytes, community_id: str) -> Bundle:
    """Check a bundle's header, community and key (format 1: also authenticate its body);
    its records are read and checked later by :meth:`Bundle.changes` or :meth:`Bundle.check`.
    """
    opener: Opener = _opener(source) if isinstance(source, Path) else (
        lambda: io.BytesIO(source))
    with opener() as stream:
        total = stream.seek(0, io.SEEK_END)
        stream.seek(0)
        header, head = _read_head(stream, total)
        if header.community != community_id:
            raise BundleError(t("sync.err.other_community", community=header.community))
        if header.key_id != keys.key_id(key):
            raise BundleError(t("sync.err.wrong_key"))
        if header.format < 2:  # one message: the whole file in memory, as it always was
            stream.seek(0)
            raw = stream.read()
            return Bundle(header, compressed=legacy.open_body(raw, len(head), key, header))
    return Bundle(header, opener=opener, head=head, key=keys.bundle_key(key))


def decode(raw: bytes, key: bytes, community_id: str, records: bool = True) -> Bundle:
    """Check a whole bundle (header, authentication, every record) and return it.

    With ``records=False`` only the header and the authentication are checked.
    """
    b = open_bundle(raw, key, community_id)
    if records:
        b.check()
    else:
        b.authenticate()
    return b


def read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise BundleError(t("sync.err.cannot_read", path=str(path),
                            detail=os_reason(exc))) from exc


# -- records -----------------------------------------------------------------------------
class _Order:
    """Stamp order and exactly the announced coverage, checked record by record."""

    def __init__(self, header: BundleHeader) -> None:
        self.header = header
        self.expect = {o: first for o, (first, _last) in header.coverage.items()}
        self.last_key = ("", "")
        self.count = 0

    def step(self, n: int, change: ChangeRecord, own_clock_ms: dict[str, int]) -> None:
        key = (change.hlc, change.origin)
        if key < self.last_key or self.expect.get(change.origin) != change.seq:
            raise BundleError(t("sync.err.damaged", detail=f"order at record {n}"))
        self.last_key = key
        self.expect[change.origin] = change.seq + 1
        self.count += 1
        ms, logical = decode_hlc(change.hlc)
        if logical == 0 and ms > own_clock_ms.get(change.origin, 0):
            own_clock_ms[change.origin] = ms

    def end(self) -> None:
        ends = {o: last + 1 for o, (_first, last) in self.header.coverage.items()}
        if self.count != self.header.count or self.expect != ends:
            raise BundleError(t("sync.err.damaged", detail="coverage"))


#: pydantic's errors for a line that is not JSON at all (``json.loads`` would refuse it).
_NOT_JSON = frozenset({"json_invalid", "json_type"})


def _record(n: int, item: Any) -> ChangeRecord:
    """Record ``n``: a JSON line (format 2, parsed by pydantic as it validates: one pass
    instead of ``json.loads`` and then a walk over the result) or a parsed item."""
    try:
        if isinstance(item, bytes):
            change = ChangeRecord.model_validate_json(item)
        else:
            change = ChangeRecord.model_validate(item)
    except ValidationError as exc:
        if exc.errors()[0]["type"] in _NOT_JSON:
            raise BundleError(t("sync.err.damaged", detail=f"body line {n}")) from exc
        raise BundleError(t("sync.err.bad_record", n=n, detail=_first_error(exc))) from exc
    model = BY_NAME.get(change.table)
    if model is None:
        raise BundleError(t("sync.err.bad_record", n=n, detail=f"table {change.table}"))
    try:
        check_record(change, model)
    except RecordError as exc:
        raise BundleError(t("sync.err.bad_record", n=n, detail=str(exc))) from exc
    return change
