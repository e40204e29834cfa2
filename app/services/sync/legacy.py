"""Reading format-1 bundles: the body is one ChaCha20-Poly1305 message of zlib(JSON lines).

Stations in the field still hold such files, so they import as they always did: the
whole file is read, its body's length and SHA-256 (header ``body_bytes``,
``body_sha256``) checked, and the body authenticated with every header field except the
checksum as associated data (see :mod:`app.services.sync.bundle` for format 2).
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterator
from typing import Any

from app.i18n import t
from app.services.sync import keys
from app.services.sync.errors import BundleError
from models.bundle import BundleHeader

_NONCE = 12
_MAGIC = b"MULINBDL"


def ad(header: dict[str, Any]) -> bytes:
    """Associated data: every header field except the checksum of the sealed body."""
    rest = {k: v for k, v in header.items() if k != "body_sha256"}
    return _MAGIC + json.dumps(rest, ensure_ascii=False, sort_keys=True).encode("utf-8")


def open_body(raw: bytes, start: int, key: bytes, header: BundleHeader) -> bytes:
    """Check, authenticate and decrypt the body after ``start``; returns it compressed."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    body = memoryview(raw)[start + _NONCE:]  # a view: the body is not copied again
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
    try:
        return ChaCha20Poly1305(keys.bundle_key(key)).decrypt(
            nonce, body, ad(header.model_dump(mode="json")))
    except InvalidTag as exc:
        raise BundleError(t("sync.err.altered")) from exc


def lines(compressed: bytes) -> Iterator[tuple[int, Any]]:
    """(number, parsed JSON) for each line of the compressed body."""
    unpacker = zlib.decompressobj()
    rest = b""
    n = 0
    chunks = (compressed[i:i + (1 << 16)] for i in range(0, len(compressed), 1 << 16))
    try:
        for chunk in [*chunks, None]:
            rest += unpacker.decompress(chunk) if chunk is not None else unpacker.flush()
            *found, rest = rest.split(b"\n")
            for line in found:
                n += 1
                yield n, json.loads(line)
    except (zlib.error, UnicodeDecodeError, ValueError) as exc:
        raise BundleError(t("sync.err.damaged", detail=f"body line {n + 1}")) from exc
    if rest.strip() or not unpacker.eof:
        raise BundleError(t("sync.err.damaged", detail="body end"))

