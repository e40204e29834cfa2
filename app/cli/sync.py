"""``mulin init``, ``mulin key export``, ``mulin export``, ``mulin import``, ``mulin sync``.

Passphrases (for key files) come from ``--passphrase-file FILE``, else the
``MULIN_PASSPHRASE`` environment variable, else the terminal.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from app.cli import trust
from app.cli.common import CliError, Env, progress_printer
from app.i18n import t
from app.oserrors import os_reason
from app.services.station.identity import StationError, init_community

ENV_PASSPHRASE = "MULIN_PASSPHRASE"


def register(sub: Any) -> None:
    p = sub.add_parser("init", help="建立社区的第一个工作站，或以密钥文件加入 / set up the "
                                    "first station of a community, or join one (--join)")
    p.add_argument("--community", metavar="NAME", help="新社区名称 / new community's name")
    p.add_argument("--join", metavar="FILE", help="社区密钥文件 / community key file")
    p.add_argument("--station", required=True, metavar="NAME")
    p.add_argument("--prefix", default=None, metavar="XX", help="案件编号前缀 / case prefix")
    p.add_argument("--admin", metavar="NAME", help="第一位书记/管理员（PIN 取自 MULIN_PIN 或终端）"
                                                   " / the first admin (PIN from MULIN_PIN)")
    _passphrase_option(p)
    trust.add_encrypt_option(p)
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser("key", help="社区密钥 / the community key")
    keys_sub = p.add_subparsers(dest="key_command", metavar="ACTION", required=True)
    k = keys_sub.add_parser("export", help="导出受口令保护的密钥 / write the key, "
                                           "protected by a passphrase")
    k.add_argument("file", metavar="FILE")
    _passphrase_option(k)
    k.set_defaults(handler=cmd_key_export)

    p = sub.add_parser("export", help="导出同步包 / write a sync bundle")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--full", action="store_true", help="全部变更 / everything (seed a laptop)")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("import", help="导入同步包 / import sync bundles")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("undo-import", help="撤销最近一次导入 / take the last import back")
    p.set_defaults(handler=cmd_undo_import)

    p = sub.add_parser("sync", help="通过同步文件夹或街道枢纽交换 / exchange through a sync "
                                    "folder or with the street hub (http://HOST:PORT)")
    p.add_argument("folder", metavar="DIR|URL")
    p.add_argument("--token", metavar="T", help="枢纽上传令牌 / hub token (or MULIN_HUB_TOKEN)")
    p.add_argument("--fallback", metavar="DIR", help="枢纽不可达时改用的文件夹 / folder to "
                                                     "use when the hub cannot be reached")
    p.set_defaults(handler=cmd_sync)


def _passphrase_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--passphrase-file", metavar="FILE",
                   help=f"口令文件 / read the passphrase from FILE (or {ENV_PASSPHRASE})")


def passphrase(args: argparse.Namespace, confirm: bool = False) -> str:
    """The key-file passphrase: --passphrase-file, MULIN_PASSPHRASE, or the terminal."""
    if getattr(args, "passphrase_file", None):
        try:
            return Path(args.passphrase_file).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise CliError(t("sync.err.cannot_read", path=args.passphrase_file,
                             detail=os_reason(exc))) from exc
    given = os.environ.get(ENV_PASSPHRASE)
    if given:
        return given
    if not sys.stdin or not sys.stdin.isatty():
        raise CliError(t("sync.cli.passphrase_needed", env=ENV_PASSPHRASE))
    first = getpass.getpass(t("sync.cli.ask_passphrase"))
    if confirm and first != getpass.getpass(t("sync.cli.ask_again")):
        raise CliError(t("sync.cli.passphrases_differ"))
    return first


# -- init / join / key ---------------------------------------------------------------
def cmd_init(env: Env, args: argparse.Namespace) -> int:
    if bool(args.community) == bool(args.join):
        raise CliError(t("sync.cli.init_usage"), status=2)
    if args.join:
        return _join(env, args)
    if not args.admin:
        raise CliError(t("trust.init_needs_admin"), status=2)
    pin = trust.new_pin()  # checked before anything is written
    trust.apply_encrypt_option(env, args)
    try:
        init_community(env.paths, args.community, args.station, args.prefix or "ST")
    except StationError as exc:
        raise CliError(str(exc)) from exc
    trust.add_first_admin(args.admin, pin)
    print(t("cli.init_done", community=args.community, path=str(env.paths.data_dir)))
    return 0


def _join(env: Env, args: argparse.Namespace) -> int:
    from app.services.station.identity import join_community
    from app.services.sync import keys

    if args.prefix is None:
        raise CliError(t("sync.cli.join_prefix"), status=2)
    pin = trust.new_pin() if args.admin else ""
    try:
        sealed = keys.read_key_file(Path(args.join), passphrase(args))
    except keys.SyncKeyError as exc:
        raise CliError(str(exc)) from exc
    trust.apply_encrypt_option(env, args)
    try:
        join_community(env.paths, sealed, args.station, args.prefix)
    except StationError as exc:
        raise CliError(str(exc)) from exc
    if args.admin:
        trust.add_first_admin(args.admin, pin)
    print(t("sync.cli.joined", community=sealed.community_name or sealed.community_id,
            path=str(env.paths.data_dir)))
    return 0


def cmd_key_export(env: Env, args: argparse.Namespace) -> int:
    from app.services.sync import bundle, keys

    env.signed_in()
    try:
        data = keys.seal(keys.current(), passphrase(args, confirm=True))
    except keys.SyncKeyError as exc:
        raise CliError(str(exc)) from exc
    try:
        bundle.write_atomically(Path(args.file), data)
    except OSError as exc:
        raise CliError(t("sync.err.cannot_write", path=args.file,
                         detail=os_reason(exc))) from exc
    print(t("sync.cli.key_written", path=args.file))
    return 0


# -- bundles ---------------------------------------------------------------------------
def cmd_export(env: Env, args: argparse.Namespace) -> int:
    from app.services.sync import exchange

    env.signed_in()
    if Path(args.file).is_dir():
        raise CliError(t("faults.out_is_dir", path=args.file))
    try:
        result = exchange.export_bundle(Path(args.file), args.full, _progress())
    except exchange.BundleError as exc:
        raise CliError(str(exc)) from exc
    except OSError as exc:
        raise CliError(t("sync.err.cannot_write", path=args.file,
                         detail=os_reason(exc))) from exc
    print(t("sync.cli.exported", path=result.path, n=result.changes, origins=result.origins))
    return 0


def _progress() -> Any:
    return progress_printer if sys.stderr.isatty() else None


def print_imports(results: list[Any]) -> int:
    """One line per bundle (gaps, clock skew, duplicates under it); 1 if any was refused."""
    refused = 0
    for r in results:
        print(r.text())
        for line in [m.text() for m in r.missing] + [w.text() for w in r.skew]:
            print(f"  {line}")
        if r.duplicates:
            print("  " + t("sync.duplicates_found", n=r.duplicates))
        refused += r.status == "refused"
    return 1 if refused else 0


def print_exported(exported: Any) -> None:
    """What an exchange wrote for the others, or that it had nothing new."""
    if exported and getattr(exported, "written", True):
        print(t("sync.cli.exported", path=exported.path, n=exported.changes,
                origins=exported.origins))
    else:
        print(t("sync.cli.nothing_new"))


def _report(results: list[Any]) -> int:
    status = print_imports(results)
    _warn_prefix_clashes()
    return status


def _warn_prefix_clashes() -> None:
    """A station learnt of through sync that uses our case-number prefix (issue 18)."""
    from app.services.station import epoch

    for prefix, names in epoch.prefix_clashes():
        print(t("faults.prefix_clash", prefix=prefix, stations=", ".join(names)),
              file=sys.stderr)


def cmd_import(env: Env, args: argparse.Namespace) -> int:
    from app.services.sync import exchange

    env.signed_in()
    trust.backup_before_import(env)  # issue 9: a backup to go back to
    results = exchange.import_files([Path(f) for f in args.files], _progress())
    if len(results) == 1 and results[0].status == "refused":
        raise CliError(results[0].text())
    return _report(results)


def cmd_sync(env: Env, args: argparse.Namespace) -> int:
    from app.cli import sync_remote
    from app.services.sync import exchange

    if sync_remote.is_url(args.folder):
        return sync_remote.cmd_sync_remote(env, args, _report, _progress())
    env.signed_in()
    trust.backup_before_import(env)  # issue 9: a backup to go back to
    try:
        result = exchange.sync_folder(Path(args.folder), _progress())
    except OSError as exc:
        raise CliError(t("sync.err.cannot_write", path=args.folder,
                         detail=os_reason(exc))) from exc
    status = _report([r for r in result.imports if r.status not in ("already", "own")])
    print_exported(result.exported)
    return status


def cmd_undo_import(env: Env, args: argparse.Namespace) -> int:
    """``mulin undo-import``: take the newest import back (issue 16: no pre-import copy)."""
    from app.services.sync import undo

    env.signed_in()  # a write: signed in on a station with operators
    try:
        done = undo.undo_last()
    except undo.UndoError as exc:
        raise CliError(t(str(exc), keep=undo.KEEP)) from exc
    print(t("sync.undo.done", file=done.label, source=done.source, removed=done.removed,
            restored=done.restored, changes=done.changes))
    print(t("sync.undo.hint"))
    return 0
