"""Encryption at rest: the station database as a SQLCipher file unlocked by a passphrase.

Chosen at ``mulin init`` (``--encrypt`` / ``--no-encrypt``; the default is to encrypt
on a machine with a battery, i.e. a laptop). The passphrase comes from
``MULIN_DB_PASSPHRASE`` or is asked for on the terminal; it is never stored. SQLCipher
derives the key from it (PBKDF2-HMAC-SHA512, 256,000 rounds, per-file salt) and
encrypts every page, the WAL included; backups of an encrypted station are encrypted
with the same key. ``mulin rekey`` changes the passphrase, or encrypts a plain station.
The demo station stays unencrypted.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from app.i18n import t
from models import db as dbmod
from models.db import db

ENV_PASSPHRASE = "MULIN_DB_PASSPHRASE"
ENV_NEW_PASSPHRASE = "MULIN_NEW_DB_PASSPHRASE"
MIN_LENGTH = 8


class CryptoError(ValueError):
    """The database cannot be unlocked or (re)keyed as asked."""


class PassphraseNeeded(CryptoError):
    """The station is encrypted and no passphrase was given."""


class WrongPassphrase(CryptoError):
    """The passphrase does not open this database."""


def is_laptop() -> bool:
    """A machine with a battery: encryption is the default there."""
    supply = Path("/sys/class/power_supply")
    return supply.is_dir() and any(p.name.startswith("BAT") for p in supply.iterdir())


def default_encrypt() -> bool:
    return is_laptop()


def is_encrypted(path: Path) -> bool:
    return dbmod.is_encrypted_file(path)


def check_new_passphrase(passphrase: str) -> str:
    if len(passphrase) < MIN_LENGTH:
        raise CryptoError(t("faults.crypto.short", n=MIN_LENGTH))
    return passphrase


def _open_errors() -> tuple[type[Exception], ...]:
    """What a wrong key, or a file that is no database, raises (SQLite or SQLCipher)."""
    from sqlcipher3 import dbapi2 as sqlcipher

    return (sqlite3.DatabaseError, sqlcipher.DatabaseError, OSError)


def _can_read(path: Path, passphrase: str | None) -> bool:
    """Whether ``passphrase`` opens the file; any other failure is raised, not hidden."""
    try:
        conn = dbmod.connect_file(path, passphrase)
    except _open_errors():
        return False
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except _open_errors():
        return False
    finally:
        conn.close()


def unlock(path: Path, passphrase: str) -> None:
    """Use ``passphrase`` for this database from now on, if it opens it."""
    if not _can_read(path, passphrase):
        raise WrongPassphrase("the passphrase does not open this station's database")
    dbmod.set_key(passphrase)


def prepare(path: Path, ask: Callable[[], str] | None = None) -> bool:
    """Before opening ``path``: set the key if it is encrypted. Returns True if encrypted.

    The passphrase comes from ``MULIN_DB_PASSPHRASE`` or, failing that, from ``ask``.
    """
    if not is_encrypted(path):
        dbmod.set_key(None)
        return False
    passphrase = os.environ.get(ENV_PASSPHRASE) or (ask() if ask else "")
    if not passphrase:
        raise PassphraseNeeded("this station is encrypted: give its passphrase "
                               f"(or set {ENV_PASSPHRASE})")
    unlock(path, passphrase)
    return True


def start_encrypted(path: Path, passphrase: str) -> None:
    """Make the next database created at ``path`` an encrypted one (``mulin init``)."""
    if path.exists() and path.stat().st_size > 0:
        raise CryptoError(t("faults.crypto.exists"))
    dbmod.set_key(check_new_passphrase(passphrase))


def rekey(path: Path, new_passphrase: str) -> None:
    """Change the passphrase of the open (encrypted) database, or encrypt a plain one."""
    check_new_passphrase(new_passphrase)
    if db.cipher_key:
        db.connect(reuse_if_open=True)
        db.execute_sql(f"PRAGMA rekey = {dbmod.quote_key(new_passphrase)}")
        db.close()
        dbmod.set_key(new_passphrase)
        return
    encrypt_plain(path, new_passphrase)


def encrypt_plain(path: Path, passphrase: str) -> None:
    """Rewrite a plain database as an encrypted one, replacing the file atomically."""
    from sqlcipher3 import dbapi2 as sqlcipher

    if not db.is_closed():
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
    part = path.with_name(path.name + ".enc.part")
    part.unlink(missing_ok=True)
    conn = sqlcipher.connect(str(path), isolation_level=None)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.execute(f"ATTACH DATABASE ? AS enc KEY {dbmod.quote_key(passphrase)}",
                     (str(part),))
        conn.execute("SELECT sqlcipher_export('enc')")
        conn.execute(f"PRAGMA enc.user_version = {int(version)}")
        conn.execute("DETACH DATABASE enc")
    finally:
        conn.close()
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    os.replace(part, path)
    dbmod.set_key(passphrase)
