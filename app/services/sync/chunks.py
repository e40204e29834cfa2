"""The body of a format-2 bundle: a run of independently authenticated chunks.

Each chunk is one ChaCha20-Poly1305 message (the ``cryptography`` library's AEAD; no
hand-made crypto) framed as::

    flag                 1 byte: 0 = more chunks follow, 1 = the final chunk
    length               4 bytes, big-endian: the sealed chunk's size (tag included)
    sealed chunk         ChaCha20-Poly1305(bundle key, nonce_i, zlib(JSON lines), ad_i)

    nonce_i = the bundle's random 12-byte nonce XOR i (i = 0, 1, 2 … as a 96-bit number)
    ad_i    = b"MULINCHK" + SHA-256(magic, header length and header) + i (8 bytes) + flag

So every chunk authenticates the whole plain header, its own position and whether it
ends the bundle: a chunk altered, moved, dropped, repeated, taken from another bundle,
or a bundle cut after any chunk, fails to open. A reader needs only one chunk in memory
at a time (a chunk holds about :data:`CHUNK_BYTES` of JSON lines, whole lines only).
"""

from __future__ import annotations

import hashlib
import os
import struct
import zlib
from collections.abc import Iterator
from typing import IO

from app.i18n import t

NONCE = 12
TAG = 16
#: Uncompressed JSON lines gathered into one chunk before it is sealed.
CHUNK_BYTES = 1 << 20
#: A frame announcing more than this is damaged (a reader never allocates more).
MAX_SEALED = 16 << 20
#: Nor may one chunk inflate beyond this.
MAX_PLAIN = 64 << 20
_FRAME = struct.Struct(">BI")
_AD = b"MULINCHK"


class ChunkError(ValueError):
    """A chunk cannot be opened; ``str()`` is the one-line reason (already translated)."""


def header_digest(prefix_and_header: bytes) -> bytes:
    """What every chunk's associated data carries of the plain part of the file."""
    return hashlib.sha256(prefix_and_header).digest()


def _nonce(base: bytes, index: int) -> bytes:
    return (int.from_bytes(base, "big") ^ index).to_bytes(NONCE, "big")


def _ad(digest: bytes, index: int, final: bool) -> bytes:
    return _AD + digest + struct.pack(">QB", index, int(final))


class Sealer:
    """Writes the chunks of one bundle to ``out`` (after its header and nonce)."""

    def __init__(self, out: IO[bytes], key: bytes, digest: bytes, nonce: bytes) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

        self._out, self._aead, self._digest, self._base = out, ChaCha20Poly1305(key), digest, nonce
        self._index = 0
        self._lines: list[bytes] = []
        self._size = 0

    @staticmethod
    def new_nonce() -> bytes:
        return os.urandom(NONCE)

    def add(self, line: bytes) -> None:
        """One JSON line (with its newline); a full chunk is sealed and written."""
        self._lines.append(line)
        self._size += len(line)
        if self._size >= CHUNK_BYTES:
            self._seal(final=False)

    def close(self) -> None:
        """Seal the final chunk (possibly empty): without it a reader refuses the bundle."""
        self._seal(final=True)

    def _seal(self, final: bool) -> None:
        plain = zlib.compress(b"".join(self._lines), 6)
        box = self._aead.encrypt(_nonce(self._base, self._index), plain,
                                 _ad(self._digest, self._index, final))
        self._out.write(_FRAME.pack(int(final), len(box)))
        self._out.write(box)
        self._index += 1
        self._lines, self._size = [], 0


def open_chunks(stream: IO[bytes], key: bytes, digest: bytes, nonce: bytes,
                inflate: bool = True) -> Iterator[bytes]:
    """Each chunk's JSON lines in order (``inflate=False``: only authenticate them).

    Raises :class:`ChunkError` at the first chunk that is cut short, altered, out of
    place, or when the final chunk is missing or followed by anything.
    """
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    aead = ChaCha20Poly1305(key)
    index, at = 0, stream.tell()
    while True:
        frame = stream.read(_FRAME.size)
        if len(frame) < _FRAME.size:
            raise ChunkError(t("sync.err.truncated", have=at + len(frame), need=at + _FRAME.size))
        flag, size = _FRAME.unpack(frame)
        if flag > 1 or not TAG <= size <= MAX_SEALED:
            raise ChunkError(t("sync.err.damaged", detail=f"chunk {index}"))
        box = stream.read(size)
        at += _FRAME.size + len(box)
        if len(box) < size:
            raise ChunkError(t("sync.err.truncated", have=at, need=at - len(box) + size))
        try:
            plain = aead.decrypt(_nonce(nonce, index), box, _ad(digest, index, bool(flag)))
        except InvalidTag as exc:
            raise ChunkError(t("sync.err.altered")) from exc
        del box
        yield _inflate(plain, index) if inflate else b""
        if flag:
            break
        index += 1
    if stream.read(1):
        raise ChunkError(t("sync.err.damaged", detail="trailing bytes"))


def _inflate(plain: bytes, index: int) -> bytes:
    unpacker = zlib.decompressobj()
    try:
        lines = unpacker.decompress(plain, MAX_PLAIN)
    except zlib.error as exc:
        raise ChunkError(t("sync.err.damaged", detail=f"chunk {index}")) from exc
    if unpacker.unconsumed_tail or not unpacker.eof or unpacker.unused_data:
        raise ChunkError(t("sync.err.damaged", detail=f"chunk {index}"))
    return lines
