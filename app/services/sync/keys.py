"""The community key: one 32-byte secret shared by every station of a community.

* ``mulin init`` makes a random key; it stays in the station's database (``local_state``,
  never synced; the database itself can be encrypted at rest, issue 9).
* ``mulin key export FILE`` seals the key for another laptop: Argon2id (memory-hard, from
  ``cryptography``) turns a passphrase into a wrapping key, ChaCha20-Poly1305 seals the
  key, the community's name and the known stations; the plain part (format, community
  id, KDF parameters) is authenticated as associated data.
* ``mulin init --join FILE`` opens it with the passphrase and makes a new station.
* Stations set up without a key (the demo, tests) get a *demo key* derived from the
  community id, so two demo stations of the same demo community can sync without
  asking; it protects nothing and the sync screen says so.

Bundles are sealed with a subkey derived by HKDF; ``key_id`` is a short fingerprint that
lets an import tell "wrong key" from "altered file".
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.i18n import t
from app.oserrors import os_reason
from models.sync import LocalState

KEY_BYTES = 32
KEY_FILE_FORMAT = "mulin-community-key"
KEY_FILE_VERSION = 1
MIN_PASSPHRASE = 8
#: Argon2id parameters for sealing an exported key (about 0.2 s and 64 MiB here).
KDF_PARAMS = {"iterations": 3, "lanes": 4, "memory_kib": 64 * 1024}

_LOCAL_KEY = "community_key"
_LOCAL_DEMO = "community_key_demo"


class SyncKeyError(ValueError):
    """The key (or a key file) cannot be used; the message says why in one line."""


@dataclass
class SealedKey:
    """What an exported key file holds once opened."""

    community_id: str
    key: bytes
    community_name: str = ""
    stations: list[dict[str, str]] = field(default_factory=list)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def demo_key(community_id: str) -> bytes:
    """The key of a station set up without one (demo, tests): derived, not secret."""
    return hashlib.sha256(b"mulin demo community key\x00" + community_id.encode()).digest()


def key_id(key: bytes) -> str:
    """A short public fingerprint of a key."""
    return hashlib.sha256(b"mulin key id\x00" + key).hexdigest()[:16]


def bundle_key(key: bytes) -> bytes:
    """The subkey that seals bundle bodies (HKDF-SHA256)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"mulin bundle v1").derive(key)


# -- the station's own copy ---------------------------------------------------------
def store_key(key: bytes, demo: bool = False) -> None:
    """Keep the community key in this station's database (local, never synced)."""
    LocalState.replace(id=_LOCAL_KEY, value=json.dumps(_b64(key))).execute()
    LocalState.replace(id=_LOCAL_DEMO, value=json.dumps(demo)).execute()


def load_key() -> bytes:
    row = LocalState.get_or_none(LocalState.id == _LOCAL_KEY)
    if row is None:
        raise SyncKeyError(t("sync.err.no_key"))
    return _unb64(json.loads(row.value))


def current() -> SealedKey:
    """This station's community key, with what a joining laptop should know (to be
    sealed into a key file: an admin's action, :mod:`app.services.trust.permissions`)."""
    from app import store
    from app.services.trust import operators, permissions

    permissions.require("keys.manage", operators.current_role())
    from models.places import Community
    from models.sync import Station

    ctx = store.context()
    community = Community.get_or_none(Community.id == ctx.community_id)
    stations = [{"id": s.id, "name": s.name, "prefix": s.prefix} for s in Station.select()]
    return SealedKey(ctx.community_id, load_key(), community.name if community else "",
                     stations)


def is_demo_key() -> bool:
    row = LocalState.get_or_none(LocalState.id == _LOCAL_DEMO)
    return bool(row and json.loads(row.value))


# -- passphrase-sealed key files ---------------------------------------------------
def _wrapping_key(passphrase: str, salt: bytes, params: dict[str, int]) -> bytes:
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

    return Argon2id(salt=salt, length=32, iterations=params["iterations"],
                    lanes=params["lanes"], memory_cost=params["memory_kib"]
                    ).derive(passphrase.encode("utf-8"))


def _aad(public: dict[str, Any]) -> bytes:
    return json.dumps(public, sort_keys=True, ensure_ascii=False).encode("utf-8")


def check_passphrase(passphrase: str) -> str:
    if len(passphrase) < MIN_PASSPHRASE:
        raise SyncKeyError(t("sync.err.short_passphrase", n=MIN_PASSPHRASE))
    return passphrase


def seal(sealed: SealedKey, passphrase: str) -> bytes:
    """The bytes of a key file protecting ``sealed`` with ``passphrase``."""
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    check_passphrase(passphrase)
    salt, nonce = os.urandom(16), os.urandom(12)
    public = {"format": KEY_FILE_FORMAT, "version": KEY_FILE_VERSION,
              "community": sealed.community_id,
              "kdf": {"name": "argon2id", "salt": _b64(salt), **KDF_PARAMS}}
    secret = json.dumps({"key": _b64(sealed.key), "community_name": sealed.community_name,
                         "stations": sealed.stations}, ensure_ascii=False).encode("utf-8")
    wrapping = _wrapping_key(passphrase, salt, KDF_PARAMS)
    box = ChaCha20Poly1305(wrapping).encrypt(nonce, secret, _aad(public))
    doc = {**public, "nonce": _b64(nonce), "sealed": _b64(box)}
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _parse_key_file(raw: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise SyncKeyError(t("sync.err.not_key_file")) from exc
    if not isinstance(doc, dict) or doc.get("format") != KEY_FILE_FORMAT:
        raise SyncKeyError(t("sync.err.not_key_file"))
    if not isinstance(doc.get("version"), int) or doc["version"] > KEY_FILE_VERSION:
        raise SyncKeyError(t("sync.err.key_file_newer", v=doc.get("version")))
    return doc


def unseal(raw: bytes, passphrase: str) -> SealedKey:
    """Open a key file; a wrong passphrase or an altered file gives one clear error."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    doc = _parse_key_file(raw)
    try:
        kdf = doc["kdf"]
        params = {k: int(kdf[k]) for k in KDF_PARAMS}
        public = {k: doc[k] for k in ("format", "version", "community", "kdf")}
        wrapping = _wrapping_key(passphrase, _unb64(kdf["salt"]), params)
        secret = ChaCha20Poly1305(wrapping).decrypt(_unb64(doc["nonce"]),
                                                   _unb64(doc["sealed"]), _aad(public))
        inner = json.loads(secret.decode("utf-8"))
        key = _unb64(inner["key"])
    except InvalidTag as exc:
        raise SyncKeyError(t("sync.err.key_file_passphrase")) from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise SyncKeyError(t("sync.err.not_key_file")) from exc
    if len(key) != KEY_BYTES:
        raise SyncKeyError(t("sync.err.not_key_file"))
    return SealedKey(str(doc["community"]), key, str(inner.get("community_name", "")),
                     list(inner.get("stations", [])))


def read_key_file(path: Path, passphrase: str) -> SealedKey:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SyncKeyError(t("sync.err.cannot_read", path=str(path),
                             detail=os_reason(exc))) from exc
    return unseal(raw, passphrase)
