"""The bundle file: a plain header and a compressed, encrypted, authenticated body.

Layout (format 1)::

    b"MULINBDL"                      8 bytes, magic
    header length                    4 bytes, big-endian
    header                           UTF-8 JSON (models.bundle.BundleHeader)
    nonce                            12 bytes
    body                             ChaCha20-Poly1305(zlib(JSON lines, one change each))

The header (format version, community, key fingerprint, source station, creation time,
coverage per origin as seq ranges, what the receiver must already hold, what the source
has received, the body's length and SHA-256) is readable without the key, so a refusal
can say *why*; the magic, length and header are the AEAD's associated data, so none of
it can be altered unnoticed. Decoding checks everything before returning anything.

Changes are written in stamp order ``(hlc, origin)``, one JSON object per line, so both
ends stream them: the export never holds the change list, the import validates in one
pass and merges in a second without keeping every record in memory.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from app.atomic import write_atomically as write_atomically
from app.hlc import decode as decode_hlc
from app.i18n import t
from app.oserrors import os_reason
from app.services.sync import keys
from models.bundle import FORMAT, BundleHeader, ChangeRecord, RecordError, check_record
from models.schema import BY_NAME, SCHEMA_VERSION

MAGIC = b"MULINBDL"
SUFFIX = ".mulin"
_NONCE = 12
_PREFIX = len(MAGIC) + 4
_MAX_HEADER = 4 * 1024 * 1024


class BundleError(ValueError):
    """A bundle is refused; ``str()`` is the one-line reason."""


@dataclass
class Bundle:
    """A checked bundle: its header and its (still compressed) body."""

    header: BundleHeader
    compressed: bytes = b""
    #: per origin: the latest wall-clock millisecond it stamped by itself (logical 0)
    own_clock_ms: dict[str, int] = field(default_factory=dict)

    def changes(self) -> Iterator[ChangeRecord]:
        """The records again, in stamp order (they were validated by :func:`decode`)."""
        for _n, item in _lines(self.compressed):
            yield ChangeRecord.model_construct(**item)


def encode(header: dict[str, Any], changes: Iterable[dict[str, Any]], key: bytes) -> bytes:
    """The bytes of a bundle file (``header`` without format, schema and body fields).

    ``changes`` must come in stamp order and match the header's coverage and count.
    """
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    packer = zlib.compressobj(6)
    parts: list[bytes] = []
    count = 0
    for change in changes:
        line = json.dumps(change, ensure_ascii=False, separators=(",", ":")) + "\n"
        parts.append(packer.compress(line.encode("utf-8")))
        count += 1
    parts.append(packer.flush())
    if count != header["count"]:
        raise ValueError(f"{count} changes for a header announcing {header['count']}")
    compressed = b"".join(parts)
    nonce = os.urandom(_NONCE)
    sealed_header = {**header, "format": FORMAT, "schema_version": SCHEMA_VERSION,
                     "body_bytes": len(compressed) + 16,  # + the Poly1305 tag
                     "body_sha256": ""}
    # The checksum covers the sealed body, so it is the one header field outside the AD.
    body = ChaCha20Poly1305(keys.bundle_key(key)).encrypt(nonce, compressed,
                                                          _ad(sealed_header))
    sealed_header["body_sha256"] = hashlib.sha256(nonce + body).hexdigest()
    head = json.dumps(sealed_header, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return MAGIC + struct.pack(">I", len(head)) + head + nonce + body


def _ad(header: dict[str, Any]) -> bytes:
    """Associated data: every header field except the checksum of the sealed body."""
    rest = {k: v for k, v in header.items() if k != "body_sha256"}
    return MAGIC + json.dumps(rest, ensure_ascii=False, sort_keys=True).encode("utf-8")


def read_header(raw: bytes) -> BundleHeader:
    """Parse and check the plain header (no key needed)."""
    if len(raw) < len(MAGIC) or raw[:len(MAGIC)] != MAGIC:
        raise BundleError(t("sync.err.not_bundle"))
    if len(raw) < _PREFIX:
        raise BundleError(t("sync.err.truncated", have=len(raw), need=_PREFIX))
    (size,) = struct.unpack(">I", raw[len(MAGIC):_PREFIX])
    if size > _MAX_HEADER:
        raise BundleError(t("sync.err.damaged", detail="header length"))
    if len(raw) < _PREFIX + size:
        raise BundleError(t("sync.err.truncated", have=len(raw), need=_PREFIX + size))
    try:
        doc = json.loads(raw[_PREFIX:_PREFIX + size].decode("utf-8"))
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
        return BundleHeader.model_validate(doc)
    except ValidationError as exc:
        raise BundleError(t("sync.err.damaged", detail=_first_error(exc))) from exc


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    return f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"


def decode(raw: bytes, key: bytes, community_id: str, records: bool = True) -> Bundle:
    """Check a whole bundle (header, authentication, every record) and return it.

    With ``records=False`` only the header and the authentication are checked and no
    record is returned (enough to recognise a bundle already imported).
    """
    header = read_header(raw)
    if header.community != community_id:
        raise BundleError(t("sync.err.other_community", community=header.community))
    if header.key_id != keys.key_id(key):
        raise BundleError(t("sync.err.wrong_key"))
    (size,) = struct.unpack(">I", raw[len(MAGIC):_PREFIX])
    start = _PREFIX + size
    body = memoryview(raw)[start + _NONCE:]  # a view: a full bundle is not copied again
    expected = header.body_bytes
    if len(raw) < start + _NONCE or len(body) < expected:
        raise BundleError(t("sync.err.truncated", have=len(raw), need=start + _NONCE + expected))
    if len(body) > expected:
        raise BundleError(t("sync.err.damaged", detail="trailing bytes"))
    nonce = raw[start:start + _NONCE]
    digest = hashlib.sha256(nonce)
    digest.update(body)
    if digest.hexdigest() != header.body_sha256:
        raise BundleError(t("sync.err.altered"))
    b = Bundle(header, _open(nonce, body, key, header))
    if records:
        _check_records(b)
    return b


def _open(nonce: bytes, body: memoryview, key: bytes, header: BundleHeader) -> bytes:
    """Authenticate and decrypt the body; returns it still compressed."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    try:
        return ChaCha20Poly1305(keys.bundle_key(key)).decrypt(
            nonce, body, _ad(header.model_dump(mode="json")))
    except InvalidTag as exc:
        raise BundleError(t("sync.err.altered")) from exc


def _lines(compressed: bytes) -> Iterator[tuple[int, Any]]:
    """(number, parsed JSON) for each line of the compressed body."""
    unpacker = zlib.decompressobj()
    rest = b""
    n = 0
    chunks = (compressed[i:i + (1 << 16)] for i in range(0, len(compressed), 1 << 16))
    try:
        for chunk in [*chunks, None]:
            rest += unpacker.decompress(chunk) if chunk is not None else unpacker.flush()
            *lines, rest = rest.split(b"\n")
            for line in lines:
                n += 1
                yield n, json.loads(line)
    except (zlib.error, UnicodeDecodeError, ValueError) as exc:
        raise BundleError(t("sync.err.damaged", detail=f"body line {n + 1}")) from exc
    if rest.strip() or not unpacker.eof:
        raise BundleError(t("sync.err.damaged", detail="body end"))


def _check_records(b: Bundle) -> None:
    """Every record valid, in stamp order, exactly the announced coverage."""
    header = b.header
    expect = {o: first for o, (first, _last) in header.coverage.items()}
    last_key = ("", "")
    count = 0
    for n, item in _lines(b.compressed):
        change = _record(n, item)
        key = (change.hlc, change.origin)
        if key < last_key or expect.get(change.origin) != change.seq:
            raise BundleError(t("sync.err.damaged", detail=f"order at record {n}"))
        last_key = key
        expect[change.origin] = change.seq + 1
        count += 1
        ms, logical = decode_hlc(change.hlc)
        if logical == 0:
            b.own_clock_ms[change.origin] = max(b.own_clock_ms.get(change.origin, 0), ms)
    ends = {o: last + 1 for o, (_first, last) in header.coverage.items()}
    if count != header.count or expect != ends:
        raise BundleError(t("sync.err.damaged", detail="coverage"))


def _record(n: int, item: Any) -> ChangeRecord:
    try:
        change = ChangeRecord.model_validate(item)
    except ValidationError as exc:
        raise BundleError(t("sync.err.bad_record", n=n, detail=_first_error(exc))) from exc
    model = BY_NAME.get(change.table)
    if model is None:
        raise BundleError(t("sync.err.bad_record", n=n, detail=f"table {change.table}"))
    try:
        check_record(change, model)
    except RecordError as exc:
        raise BundleError(t("sync.err.bad_record", n=n, detail=str(exc))) from exc
    return change




def read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise BundleError(t("sync.err.cannot_read", path=str(path),
                            detail=os_reason(exc))) from exc
