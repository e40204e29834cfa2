"""The one database handle, created unbound and bound at start-up (peewee diary style).

The handle speaks plain SQLite, or SQLCipher when a key is set with :func:`set_key`
before :func:`bind` (encryption at rest, issue 9). The SQLCipher driver
(``sqlcipher3``) is imported only when a key is in use.

``db`` is a proxy so that the street hub can point the same models and the same write
and merge code at PostgreSQL (:func:`use`, :mod:`models.pg`); a station never does.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import hashlib
from pathlib import Path
from typing import Any

from peewee import Database, DatabaseProxy, SqliteDatabase

PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "normal",
    "busy_timeout": 5000,
    "foreign_keys": 1,
    "cache_size": -16000,
}

#: The first 16 bytes of every plain SQLite file; an encrypted file looks random.
SQLITE_HEADER = b"SQLite format 3\x00"


def quote_key(passphrase: str) -> str:
    """A passphrase as a SQL string literal for ``PRAGMA key`` / ``rekey``."""
    return "'" + passphrase.replace("'", "''") + "'"


@functools.lru_cache(maxsize=8)
def _raw_key(passphrase: str, salt: bytes) -> str:
    """SQLCipher 4's own key derivation (PBKDF2-HMAC-SHA512, 256,000 rounds, the file's
    salt), done once per process instead of on every connection (~0.1 s each)."""
    key = hashlib.pbkdf2_hmac("sha512", passphrase.encode(), salt, 256_000, 32)
    return f"\"x'{key.hex()}'\""


def _key_pragma(path: str, passphrase: str) -> str:
    try:
        with open(path, "rb") as fh:
            salt = fh.read(16)
    except OSError:
        salt = b""
    if len(salt) == 16 and salt != SQLITE_HEADER:
        return _raw_key(passphrase, salt)
    return quote_key(passphrase)  # a new file: SQLCipher makes the salt


def cipher_connect(path: str, passphrase: str, **params: Any) -> Any:
    """A raw SQLCipher connection to ``path`` unlocked with ``passphrase``."""
    from sqlcipher3 import dbapi2 as sqlcipher

    for kind in (decimal.Decimal, datetime.date, datetime.time):
        sqlcipher.register_adapter(kind, str)
    conn = sqlcipher.connect(path, isolation_level=None, **params)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = {_key_pragma(path, passphrase)}")
    except Exception:
        conn.close()
        raise
    return conn


class MulinDatabase(SqliteDatabase):
    """SQLite, or SQLCipher when :attr:`cipher_key` is set."""

    cipher_key: str | None = None

    def _connect(self) -> Any:
        base: Any = super()
        if not self.cipher_key:
            return base._connect()
        this: Any = self
        conn = cipher_connect(self.database, self.cipher_key, timeout=this._timeout,
                              **self.connect_params)
        try:
            this._add_conn_hooks(conn)
        except Exception:
            conn.close()
            raise
        return conn


#: The station's SQLite database (unbound until :func:`bind`).
sqlite_db = MulinDatabase(None)
#: The handle every model and service uses: the station's SQLite, or the hub's PostgreSQL.
db = DatabaseProxy()
db.initialize(sqlite_db)


def use(database: Database) -> None:
    """Point the shared handle at ``database`` (the hub), closing the current one."""
    if db.obj is not database and not db.is_closed():
        db.close()
    db.initialize(database)


def set_key(passphrase: str | None) -> None:
    """Use ``passphrase`` (SQLCipher) for connections opened from now on; None = plain."""
    if not db.is_closed():
        db.close()
    sqlite_db.cipher_key = passphrase or None


#: SQLCipher files are whole pages; a page is at least this many bytes (a power of 2).
MIN_PAGE = 512


def is_encrypted_file(path: Path | str) -> bool:
    """True when ``path`` exists, is not empty, is not a plain SQLite file, and is made of
    whole pages as a SQLCipher file is (a garbage file is damaged, not encrypted)."""
    p = Path(path)
    if not p.exists() or p.stat().st_size == 0 or p.stat().st_size % MIN_PAGE:
        return False
    with p.open("rb") as fh:
        return fh.read(16) != SQLITE_HEADER


def connect_file(path: Path | str, passphrase: str | None = None) -> Any:
    """A raw DB-API connection to another file (a backup), plain or encrypted."""
    if passphrase:
        return cipher_connect(str(path), passphrase)
    import sqlite3

    return sqlite3.connect(str(path), isolation_level=None)


def bind(path: Path | str) -> SqliteDatabase:
    """Bind the module-level database to a file (closing any previous binding)."""
    use(sqlite_db)
    if not db.is_closed():
        db.close()
    sqlite_db.init(str(path), pragmas=PRAGMAS, check_same_thread=False)
    return sqlite_db
