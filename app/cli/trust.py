"""``mulin backup | restore | check | rekey | operator``, and encrypting a new station.

``mulin init`` (the sync module's) calls :func:`add_encrypt_option` on its parser and
:func:`apply_encrypt_option` before creating the database.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from app.cli.common import CliError, Env, progress_printer
from app.cli.passphrase import ask as _ask
from app.cli.passphrase import ask_new as _ask_new
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

    p = sub.add_parser("decrypt", help="解密导出的文件 / open an encrypted export (.enc)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--out", metavar="FILE", help="输出文件 / output file")
    p.set_defaults(handler=cmd_decrypt)

    p = sub.add_parser("rekey", help="更换或设置加密口令 / change (or set) the passphrase")
    p.set_defaults(handler=cmd_rekey)

    p = sub.add_parser("operator", help="操作员 / station operators (add, list, remove)")
    ops = p.add_subparsers(dest="operator_command", metavar="ACTION", required=True)
    a = ops.add_parser("add", help="add an operator (their PIN from MULIN_NEW_PIN or asked)")
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=("duty", "grid_worker", "admin"))
    a.set_defaults(handler=cmd_operator_add)
    a = ops.add_parser("list", help="list operators")
    a.set_defaults(handler=cmd_operator_list)
    a = ops.add_parser("remove", help="remove an operator")
    a.add_argument("name")
    a.set_defaults(handler=cmd_operator_remove)


# --- passphrases ------------------------------------------------------------------------


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

    env.signed_in()
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
    from app.services.trust import backup, checksum

    file = Path(args.file)
    ctx = env.open()
    if ctx is not None:
        env.sign_in()  # only an admin restores (issue 12)
    key = _backup_key(file) if ctx is None else None  # an empty folder: the backup's own
    if file.is_file() and checksum.verify(file) is None:
        print(t("faults.backup.unchecked", file=args.file), file=sys.stderr)
    try:
        safety = backup.restore(env.paths, file, key)
    except backup.BackupError as exc:
        raise CliError(t("trust.restore_refused", reason=str(exc))) from exc
    if safety is None:
        print(t("faults.backup.restored_new", file=args.file,
                path=str(env.paths.data_dir)))
    else:
        print(t("trust.restore_done", file=args.file, safety=str(safety)))
    return 0


def _backup_key(file: Path) -> str | None:
    """The passphrase of an encrypted backup restored into an empty folder."""
    from app.services.trust import crypto_db
    from models import db as dbmod

    if not file.is_file() or not dbmod.is_encrypted_file(file):
        return None
    given = os.environ.get(crypto_db.ENV_PASSPHRASE) or _ask(t("trust.ask_passphrase"))
    if not given:
        raise CliError(t("trust.passphrase_needed", env=crypto_db.ENV_PASSPHRASE))
    return given


def cmd_check(env: Env, args: argparse.Namespace) -> int:
    from app.services.trust import check

    try:
        env.require_station()
    except CliError:
        raise
    except Exception as exc:  # a damaged file is what check reports
        from app.cli.errors import damaged, describe

        if not damaged(exc):
            raise
        print(t("trust.check_problem", kind=t("check.integrity"), detail=describe(exc)[0]))
        print(t("trust.check_failed", n=1))
        return 1
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
    env.signed_in()
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

    env.signed_in()
    pin = new_pin("MULIN_NEW_PIN")
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

    env.signed_in()
    match = [o for o in operators.list_operators() if o.name == args.name]
    if not match:
        raise CliError(t("trust.no_operator", name=args.name))
    operators.remove_operator(match[0].id)
    print(t("trust.operator_removed", name=args.name))
    return 0


def new_pin(env_name: str = "MULIN_PIN") -> str:
    """The PIN of a new operator: ``env_name``, or typed twice at the terminal; checked.
    (``operator add`` reads ``MULIN_NEW_PIN``: MULIN_PIN is the signing-in admin's.)"""
    from app.services.trust import operators

    pin = os.environ.get(env_name, "")
    if not pin:
        pin = _ask(t("trust.ask_pin"))
        if pin and pin != _ask(t("trust.ask_again")):
            raise CliError(t("trust.pins_differ"))
    try:
        return operators.check_pin(pin)
    except ValueError as exc:
        raise CliError(t("trust.pin_needed")) from exc


def add_first_admin(name: str, pin: str) -> None:
    """The station's first 书记/管理员: from now on it opens only with a PIN."""
    from app.services.trust import operators

    try:
        operators.add_operator(name, "admin", pin)
    except operators.OperatorError as exc:
        raise CliError(str(exc)) from exc
    print(t("trust.operator_added", name=name, role=t("role.admin")))


def add_plain_option(parser: argparse.ArgumentParser) -> None:
    """``--plain`` on every command that writes personal data to a file."""
    parser.add_argument("--plain", action="store_true",
                        help="不加密写出（含个人信息）/ write unencrypted (holds personal data)")


def say_how_written(written: Any) -> None:
    """After an export: how to open it, or a warning naming what a plain file exposes."""
    if written.encrypted:
        print(t("sealed.written", path=str(written.path)))
    else:
        print(t("sealed.plain_warning", n=written.residents), file=sys.stderr)


def cmd_decrypt(env: Env, args: argparse.Namespace) -> int:
    """Open a sealed export: with the community key (this station, signed in) or the
    export passphrase (MULIN_EXPORT_PASSPHRASE, no station needed: a street office)."""
    from app.services.trust import sealed

    try:
        if sealed.needs_community_key(sealed.read(Path(args.file))):
            env.signed_in()
        path = sealed.decrypt_file(Path(args.file), Path(args.out) if args.out else None)
    except (sealed.SealedError, OSError) as exc:
        raise CliError(str(exc)) from exc
    print(t("sealed.decrypted", path=str(path)))
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
