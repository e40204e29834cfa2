"""Files that hold personal data, sealed: exports are encrypted unless asked otherwise.

A handover sheet, an agreement (md/pdf) or a monthly report (csv/xlsx) is written as
``<name>.enc``: ChaCha20-Poly1305 under a key derived from the community key (any
station of the community opens it with ``mulin decrypt FILE``), or from a passphrase
(``MULIN_EXPORT_PASSPHRASE``, Argon2id) for a recipient outside the community. The
plain header (format, version, which key, the KDF salt) is authenticated; the file's
own name travels inside the ciphertext. Written in the clear only when the caller
asks (``--plain``), and then the caller warns with :func:`residents_named`.
"""

from __future__ import annotations

import hashlib
import json
import os
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from app.atomic import write_atomically as write_atomically
from app.i18n import t

MAGIC = b"MULINENC"
SUFFIX = ".enc"
ENV_PASSPHRASE = "MULIN_EXPORT_PASSPHRASE"
KDF_PARAMS = {"iterations": 3, "lanes": 4, "memory_kib": 64 * 1024}


class SealedError(ValueError):
    """The file cannot be opened (not a sealed export, wrong key, altered)."""


@dataclass(frozen=True)
class Written:
    """An export on disk: where, whether encrypted, how many residents it names."""

    path: Path
    encrypted: bool
    residents: int


def _community_key() -> bytes:
    from app.services.sync import keys
    from models.db import db

    with db.connection_context() if db.is_closed() else nullcontext():  # worker threads
        secret = keys.load_key()
    return hashlib.blake2b(b"mulin export v1", key=secret, digest_size=32).digest()


def _passphrase_key(passphrase: str, salt: bytes) -> bytes:
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

    return Argon2id(salt=salt, length=32, iterations=KDF_PARAMS["iterations"],
                    lanes=KDF_PARAMS["lanes"], memory_cost=KDF_PARAMS["memory_kib"]
                    ).derive(passphrase.encode("utf-8"))


def _header_bytes(header: dict[str, Any]) -> bytes:
    return json.dumps(header, sort_keys=True).encode("utf-8")


def seal(data: bytes, name: str, passphrase: str | None = None) -> bytes:
    """The sealed bytes of ``data`` (``name``: the plain file's name)."""
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    header: dict[str, Any] = {"format": "mulin-export", "version": 1}
    if passphrase:
        salt = os.urandom(16)
        header.update(key="passphrase", salt=salt.hex())
        key = _passphrase_key(passphrase, salt)
    else:
        header["key"] = "community"
        key = _community_key()
    head, nonce = _header_bytes(header), os.urandom(12)
    inner = json.dumps({"name": name}).encode("utf-8") + b"\n" + data
    box = ChaCha20Poly1305(key).encrypt(nonce, inner, head)
    return MAGIC + len(head).to_bytes(4, "big") + head + nonce + box


def _split(raw: bytes) -> tuple[bytes, dict[str, Any], bytes, bytes]:
    if not raw.startswith(MAGIC) or len(raw) < len(MAGIC) + 4:
        raise SealedError(t("sealed.not_sealed"))
    size = int.from_bytes(raw[len(MAGIC):len(MAGIC) + 4], "big")
    start = len(MAGIC) + 4
    head = raw[start:start + size]
    try:
        header = json.loads(head)
    except ValueError as exc:
        raise SealedError(t("sealed.not_sealed")) from exc
    if not isinstance(header, dict):
        raise SealedError(t("sealed.not_sealed"))
    return head, header, raw[start + size:start + size + 12], raw[start + size + 12:]


def read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SealedError(t("sealed.cannot_read", path=str(path))) from exc


def needs_community_key(raw: bytes) -> bool:
    """Sealed with the community key (open it on a station), not with a passphrase?"""
    return _split(raw)[1].get("key") != "passphrase"


def unseal(raw: bytes, passphrase: str | None = None) -> tuple[str, bytes]:
    """The original name and bytes of a sealed export."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    head, header, nonce, box = _split(raw)
    if header.get("key") == "passphrase":
        if not passphrase:
            raise SealedError(t("sealed.passphrase_needed", env=ENV_PASSPHRASE))
        key = _passphrase_key(passphrase, bytes.fromhex(header["salt"]))
    else:
        key = _community_key()
    try:
        inner = ChaCha20Poly1305(key).decrypt(nonce, box, head)
    except InvalidTag as exc:
        raise SealedError(t("sealed.wrong_key")) from exc
    meta, _, data = inner.partition(b"\n")
    return str(json.loads(meta)["name"]), data




def write_export(target: Path, data: bytes, text: str, plain: bool = False) -> Written:
    """Write an export of personal data: sealed as ``target.enc`` unless ``plain``.

    ``text`` is the export's readable content, used to count the residents it names.
    """
    named = residents_named(text)
    if plain:
        write_atomically(target, data)
        return Written(target, False, named)
    sealed_path = target.with_name(target.name + SUFFIX)
    write_atomically(sealed_path, seal(data, target.name, os.environ.get(ENV_PASSPHRASE)))
    return Written(sealed_path, True, named)


def residents_named(text: str) -> int:
    """How many residents (present or not) are named in ``text``."""
    from models.db import db
    from models.places import Resident

    if not text:
        return 0
    with db.connection_context() if db.is_closed() else nullcontext():
        rows: list[tuple[str]] = list(cast(Any, Resident.select(Resident.name)
                                           .distinct().tuples()))
    names = {n for (n,) in rows if n and len(n) >= 2}
    return sum(1 for n in names if n in text)


def decrypt_file(path: Path, out: Path | None = None,
                 passphrase: str | None = None) -> Path:
    """Open a sealed export next to it (or at ``out``); returns the plain file."""
    raw = read(path)
    name, data = unseal(raw, passphrase or os.environ.get(ENV_PASSPHRASE))
    target = out or path.with_name(Path(name).name)
    write_atomically(target, data)
    return target
