"""``mulin backup | restore | check | rekey | operator``, and unlocking an encrypted station.

``mulin init`` (the sync module's) calls :func:`add_encrypt_option` on its parser and
:func:`apply_encrypt_option` before creating the database.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from app.cli.common import CliError, Env, progress_printer
from app.config import Paths
from app.i18n import t


def register(sub: Any) -> None:
    p = sub.add_parser("backup", help="备份 / back up this station (default: backups folder)")
    p.add_argument("file", nargs="?", metavar="FILE")
    p.set_defaults(handler=cmd_backup)

    p = sub.add_parser("restore", help="从备份恢复 / restore this station from a backup")
    p.add_argument("file", metavar="FILE")
    p.set_defaults(handler=cmd_restore)

    p = sub.add_parser("check", help="完整性检查 / check the database and Mulin's invariants")
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser("rekey", help="更换或设置加密口令 / change (or set) the passphrase")
    p.set_defaults(handler=cmd_rekey)

    p = sub.add_parser("operator", help="操作员 / station operators (add, list, remove)")
    ops = p.add_subparsers(dest="operator_command", metavar="ACTION", required=True)
    a = ops.add_parser("add", help="add an operator (PIN from MULIN_PIN or asked)")
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=("duty", "grid_worker", "admin"))
    a.set_defaults(handler=cmd_operator_add)
    a = ops.add_parser("list", help="list operators")
    a.set_defaults(handler=cmd_operator_list)
    a = ops.add_parser("remove", help="remove an operator")
    a.add_argument("name")
    a.set_defaults(handler=cmd_operator_remove)


# --- passphrases ------------------------------------------------------------------------


def _ask(prompt: str) -> str:
    if not sys.stdin or not sys.stdin.isatty():
        return ""
    return getpass.getpass(prompt)


def _ask_new(env_name: str) -> str:
    given = os.environ.get(env_name)
    if given:
        return given
    first = _ask(t("trust.ask_new_passphrase"))
    if first and first != _ask(t("trust.ask_again")):
        raise CliError(t("trust.passphrases_differ"))
    if not first:
        raise CliError(t("trust.passphrase_needed_new", env=env_name))
    return first


def unlock(paths: Paths) -> bool:
    """Before opening: set the key of an encrypted station (env or terminal prompt)."""
    from app.services.trust import crypto_db

    try:
        return crypto_db.prepare(paths.database, lambda: _ask(t("trust.ask_passphrase")))
    except crypto_db.PassphraseNeeded as exc:
        raise CliError(t("trust.passphrase_needed", env=crypto_db.ENV_PASSPHRASE)) from exc
    except crypto_db.WrongPassphrase as exc:
        raise CliError(t("trust.wrong_passphrase")) from exc


def add_encrypt_option(parser: argparse.ArgumentParser) -> None:
    """``--encrypt`` / ``--no-encrypt`` for ``mulin init`` (default: on for laptops)."""
    parser.add_argument("--encrypt", action=argparse.BooleanOptionalAction, default=None,
                        help="用 SQLCipher 加密数据库 / encrypt the database (default: on "
                             "laptops); passphrase from MULIN_DB_PASSPHRASE or asked")


def apply_encrypt_option(env: Env, args: argparse.Namespace) -> bool:
    """Set up encryption for a new station as ``--encrypt`` asks; True if encrypted."""
    from app.services.trust import crypto_db

    encrypt = args.encrypt if args.encrypt is not None else crypto_db.default_encrypt()
    if not encrypt or env.demo:
        return False
    passphrase = os.environ.get(crypto_db.ENV_PASSPHRASE) or _ask_new(crypto_db.ENV_PASSPHRASE)
    try:
        crypto_db.start_encrypted(env.paths.database, passphrase)
    except crypto_db.CryptoError as exc:
        raise CliError(str(exc)) from exc
    return True


# --- commands ---------------------------------------------------------------------------


def cmd_backup(env: Env, args: argparse.Namespace) -> int:
    from app.services.trust import backup

    env.require_station()
    if args.file:
        made = backup.backup_to(env.paths, Path(args.file))
    else:
        made = backup.make_backup(env.paths, "manual", _keep(env))
    print(t("trust.backup_done", path=str(made)))
    if not _encrypted(env):
        print(t("trust.backup_plain_warning"), file=sys.stderr)
    return 0


def _keep(env: Env) -> int:
    return env.settings.backup_keep


def _encrypted(env: Env) -> bool:
    from models.db import db

    return bool(db.cipher_key)


def cmd_restore(env: Env, args: argparse.Namespace) -> int:
    from app.services.trust import backup

    env.open()
    try:
        safety = backup.restore(env.paths, Path(args.file))
    except backup.BackupError as exc:
        raise CliError(t("trust.restore_refused", reason=str(exc))) from exc
    print(t("trust.restore_done", file=args.file, safety=str(safety)))
    return 0


def cmd_check(env: Env, args: argparse.Namespace) -> int:
    from app.services.trust import check

    env.open()
    problems = check.run(progress_printer if sys.stderr.isatty() else None)
    for p in problems:
        print(t("trust.check_problem", kind=t(f"check.{p.kind}"), detail=p.detail))
    if problems:
        print(t("trust.check_failed", n=len(problems)))
        return 1
    print(t("trust.check_ok"))
    return 0


def cmd_rekey(env: Env, args: argparse.Namespace) -> int:
    from app.services.trust import crypto_db

    if env.demo:
        raise CliError(t("trust.demo_plain"))
    env.require_station()
    new = _ask_new(crypto_db.ENV_NEW_PASSPHRASE)
    try:
        crypto_db.rekey(env.paths.database, new)
    except crypto_db.CryptoError as exc:
        raise CliError(str(exc)) from exc
    print(t("trust.rekey_done"))
    if any(env.paths.backups.glob("*.sqlite3")):
        print(t("trust.rekey_old_backups", path=str(env.paths.backups)), file=sys.stderr)
    return 0


def cmd_operator_add(env: Env, args: argparse.Namespace) -> int:
    from app.services.trust import operators

    env.require_station()
    pin = os.environ.get("MULIN_PIN") or _ask(t("trust.ask_pin"))
    try:
        operators.add_operator(args.name, args.role, pin)
    except operators.OperatorError as exc:
        raise CliError(str(exc)) from exc
    print(t("trust.operator_added", name=args.name, role=t(f"role.{args.role}")))
    return 0


def cmd_operator_list(env: Env, args: argparse.Namespace) -> int:
    from app.services.trust import operators

    env.require_station()
    for op in operators.list_operators():
        print(f"{op.name}\t{t(f'role.{op.role}')}")
    return 0


def cmd_operator_remove(env: Env, args: argparse.Namespace) -> int:
    from app.services.trust import operators

    env.require_station()
    match = [o for o in operators.list_operators() if o.name == args.name]
    if not match:
        raise CliError(t("trust.no_operator", name=args.name))
    operators.remove_operator(match[0].id)
    print(t("trust.operator_removed", name=args.name))
    return 0


class DailyBackup:
    """The first start of the day backs the station up, in a thread started after the
    first frame is drawn (``MulinApp(after_first_paint=...)``); a failure only warns,
    once the desk is closed."""

    def __init__(self, env: Env) -> None:
        self.env = env
        self.errors: list[Exception] = []
        self.thread: Any = None

    def start(self) -> None:
        from app.services.trust import backup

        self.thread = backup.daily_in_background(self.env.paths, _keep(self.env),
                                                 self.errors.append)

    def finish(self) -> None:
        """After the desk closed: wait for a copy still running, report a failure."""
        if self.thread is not None:
            self.thread.join()
        for exc in self.errors:
            print(t("trust.daily_failed", reason=str(exc)), file=sys.stderr)


def backup_before_import(env: Env) -> None:
    """``mulin import`` / ``mulin sync`` check first (the import records its own undo)."""
    from app.services.trust import backup

    try:
        backup.before_import(env.paths, _keep(env))
    except (OSError, backup.BackupError) as exc:
        raise CliError(t("trust.import_backup_failed", reason=str(exc))) from exc
