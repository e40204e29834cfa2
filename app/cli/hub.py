"""``mulin hub …``: the street hub on PostgreSQL (issue 15).

The database comes from ``--db postgresql://USER@HOST:PORT/DB`` or ``MULIN_HUB_DB``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from app.cli.common import CliError, Env
from app.cli.sync import print_exported, print_imports
from app.i18n import t


def _db_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="URL", help="postgresql://USER@HOST:PORT/DB (或 MULIN_HUB_DB)")


def _add(hub_sub: Any, name: str, help_text: str, handler: Callable[..., int]) -> Any:
    p = hub_sub.add_parser(name, help=help_text)
    _db_option(p)
    p.set_defaults(handler=handler)
    return p


def register(sub: Any) -> None:
    p = sub.add_parser("hub", help="街道枢纽（PostgreSQL）；不带动作时打开街道工作台 / the street "
                                   "hub on PostgreSQL; without an action, the street desk")
    p.add_argument("--db", dest="hub_db", metavar="URL", help="postgresql://… (或 MULIN_HUB_DB)")
    p.set_defaults(handler=cmd_desk)
    hub_sub = p.add_subparsers(dest="hub_command", metavar="ACTION")
    _add(hub_sub, "init", "建立或检查枢纽数据库 / create (or check) the hub schema", cmd_init)
    j = _add(hub_sub, "join", "以社区密钥文件加入社区 / join a community with its key file",
             cmd_join)
    j.add_argument("keyfile", metavar="KEYFILE")
    j.add_argument("--station", default="街道", metavar="NAME")
    j.add_argument("--prefix", required=True, metavar="XX")
    j.add_argument("--passphrase-file", metavar="FILE")
    i = _add(hub_sub, "import", "导入同步包 / import bundles", cmd_import)
    i.add_argument("files", nargs="+", metavar="FILE")
    e = _add(hub_sub, "export", "为一个社区导出同步包 / write a community's bundle", cmd_export)
    e.add_argument("file", metavar="FILE")
    e.add_argument("--community", required=True, metavar="NAME")
    e.add_argument("--full", action="store_true")
    s = _add(hub_sub, "sync", "与同步文件夹交换 / exchange through a sync folder", cmd_sync)
    s.add_argument("folder", metavar="DIR")
    st = _add(hub_sub, "stats", "一个社区的统计与摘要 / a community's counts or digest",
              cmd_stats)
    st.add_argument("--community", required=True, metavar="NAME")
    st.add_argument("--digest", action="store_true")
    _add(hub_sub, "list", "已加入的社区 / joined communities", cmd_list)
    for module in ("app.cli.hub_net", "app.cli.hub_street", "app.cli.hub_ops"):
        __import__(module, fromlist=["register_hub"]).register_hub(hub_sub, _add)


@contextmanager
def opened(args: argparse.Namespace) -> Iterator[None]:
    """The hub, open for one command (refusals become one clear line)."""
    from app.services.hub import database as hubdb

    try:
        hubdb.open_hub(db_url(args))
        yield
    except hubdb.HubError as exc:
        raise CliError(str(exc)) from exc
    finally:
        hubdb.close()


def db_url(args: argparse.Namespace) -> str:
    """``mulin hub ACTION --db URL``, ``mulin hub --db URL``, else ``MULIN_HUB_DB``."""
    from app.services.hub import database as hubdb

    return hubdb.resolve_url(getattr(args, "db", None) or getattr(args, "hub_db", None))


def _community(name: str) -> Any:
    from app.services.hub import database as hubdb

    try:
        return hubdb.find(name)
    except hubdb.HubError as exc:
        raise CliError(str(exc)) from exc


def cmd_init(env: Env, args: argparse.Namespace) -> int:
    from app.services.hub import database as hubdb

    try:
        created = hubdb.init(db_url(args))
    except hubdb.HubError as exc:
        raise CliError(str(exc)) from exc
    finally:
        hubdb.close()
    print(t("hub.cli.created" if created else "hub.cli.ready"))
    return 0


def cmd_join(env: Env, args: argparse.Namespace) -> int:
    from app.cli.sync import passphrase
    from app.services.hub import database as hubdb
    from app.services.station.identity import StationError
    from app.services.sync import keys

    try:
        sealed = keys.read_key_file(Path(args.keyfile), passphrase(args))
    except keys.SyncKeyError as exc:
        raise CliError(str(exc)) from exc
    with opened(args):
        try:
            joined = hubdb.join(sealed, args.station, args.prefix)
        except StationError as exc:
            raise CliError(str(exc)) from exc
        print(t("hub.cli.joined", community=joined.name or joined.id, prefix=joined.prefix))
    return 0


def cmd_import(env: Env, args: argparse.Namespace) -> int:
    from app.services.hub import files

    with opened(args):
        results = files.import_files([Path(f) for f in args.files])
    if len(results) == 1 and results[0].status == "refused":
        raise CliError(results[0].text())
    return print_imports(results)


def cmd_export(env: Env, args: argparse.Namespace) -> int:
    from app.services.hub import files

    with opened(args):
        community = _community(args.community)
        try:
            result = files.export(community, Path(args.file), args.full)
        except OSError as exc:
            raise CliError(t("sync.err.cannot_write", path=args.file,
                             detail=exc.strerror or str(exc))) from exc
    print(t("sync.cli.exported", path=result.path, n=result.changes, origins=result.origins))
    return 0


def cmd_sync(env: Env, args: argparse.Namespace) -> int:
    from app.services.hub import files

    status = 0
    with opened(args):
        try:
            done = files.sync_folder(Path(args.folder))
        except OSError as exc:
            raise CliError(t("sync.err.cannot_write", path=args.folder,
                             detail=exc.strerror or str(exc))) from exc
    for item in done:
        print(f"[{item.community}]")
        status |= print_imports([r for r in item.imports
                                 if r.status not in ("already", "own")])
        print_exported(item.exported)
    return status


def cmd_stats(env: Env, args: argparse.Namespace) -> int:
    from app.services.hub import files

    with opened(args):
        community = _community(args.community)
        if args.digest:
            print(files.digest(community))
        else:
            print(json.dumps(files.counts(community), ensure_ascii=False, indent=1))
    return 0


def cmd_list(env: Env, args: argparse.Namespace) -> int:
    from app.services.hub import database as hubdb

    with opened(args):
        for c in hubdb.communities():
            print(f"{c.name or c.id}\t{c.prefix}\t{c.id}")
    return 0


def cmd_desk(env: Env, args: argparse.Namespace) -> int:
    """``mulin hub``: the street office's desk (keyboard-only TUI) over the hub."""
    from app.services.hub import desk

    with opened(args):
        prefixes = desk.start()  # F2's figures are read meanwhile
        if not prefixes:
            raise CliError(t("hub.err.no_communities"))
        from app.hub_tui import HubApp  # lazy: keeps CLI commands fast

        HubApp(prefixes, operator=getattr(args, "operator", None) or "").run()
    return 0
