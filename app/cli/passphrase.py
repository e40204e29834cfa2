"""Asking for secrets on the terminal, and unlocking an encrypted station before it opens.

Every command opens its station through :meth:`app.cli.common.Env.open`, which calls
:func:`unlock` first; ``mulin init`` and ``mulin rekey`` ask for a new passphrase twice.
"""

from __future__ import annotations

import getpass
import os
import sys

from app.cli.errors import CliError
from app.config import Paths
from app.i18n import t


def ask(prompt: str) -> str:
    """A secret typed at the terminal; empty when there is no terminal to ask at."""
    if not sys.stdin or not sys.stdin.isatty():
        return ""
    return getpass.getpass(prompt)


def ask_new(env_name: str) -> str:
    """A new passphrase: from ``env_name``, else typed twice at the terminal."""
    given = os.environ.get(env_name)
    if given:
        return given
    first = ask(t("trust.ask_new_passphrase"))
    if first and first != ask(t("trust.ask_again")):
        raise CliError(t("trust.passphrases_differ"))
    if not first:
        raise CliError(t("trust.passphrase_needed_new", env=env_name))
    return first


def unlock(paths: Paths) -> bool:
    """Before opening: set the key of an encrypted station (env or terminal prompt)."""
    from app.services.trust import crypto_db

    try:
        return crypto_db.prepare(paths.database, lambda: ask(t("trust.ask_passphrase")))
    except crypto_db.PassphraseNeeded as exc:
        raise CliError(t("trust.passphrase_needed", env=crypto_db.ENV_PASSPHRASE)) from exc
    except crypto_db.WrongPassphrase as exc:
        raise CliError(t("trust.wrong_passphrase")) from exc
