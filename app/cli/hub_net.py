"""``mulin hub serve`` and ``mulin hub token add|revoke|list`` (bundles over HTTP)."""

from __future__ import annotations

import argparse
from typing import Any

from app.cli.common import CliError, Env
from app.i18n import t


def register_hub(hub_sub: Any, add: Any) -> None:
    s = add(hub_sub, "serve", "通过 HTTP 接收同步包 / accept bundles over HTTP", cmd_serve)
    s.add_argument("--listen", default="127.0.0.1:8765", metavar="HOST:PORT")
    s.add_argument("--max-upload", type=int, default=64, metavar="MB")
    p = hub_sub.add_parser("token", help="工作站上传令牌 / station upload tokens")
    tok = p.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    for name, handler, text in (
            ("add", cmd_token_add, "发放令牌（只显示一次）/ make a token (shown once)"),
            ("revoke", cmd_token_revoke, "吊销该站全部令牌 / revoke the station's tokens"),
            ("list", cmd_token_list, "列出令牌 / list tokens")):
        a = add(tok, name, text, handler)
        a.add_argument("--community", required=True, metavar="NAME")
        if name != "list":
            a.add_argument("--station", required=True, metavar="NAME")


def _listen(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise CliError(t("hub.err.listen", value=text), status=2)
    return host, int(port)


def cmd_serve(env: Env, args: argparse.Namespace) -> int:
    from app.services.hub import server

    host, port = _listen(args.listen)
    if args.max_upload < 1:
        raise CliError(t("hub.err.listen", value=args.max_upload), status=2)
    from app.cli.hub import db_url
    from app.services.hub import database as hubdb
    from models.db import db

    url = db_url(args)
    try:
        hubdb.open_hub(url)  # refuse now, in one line, a database that is no hub
    except hubdb.HubError as exc:
        raise CliError(str(exc)) from exc
    db.close()  # the server's threads and community workers open their own connections
    print(t("hub.cli.serving", url=f"http://{host}:{port}"), flush=True)
    server.serve(host, port, args.max_upload * 1024 * 1024, url)
    return 0


def cmd_token_add(env: Env, args: argparse.Namespace) -> int:
    from app.cli.hub import _community, opened
    from app.services.hub import tokens
    from app.services.hub.database import HubError

    with opened(args):
        try:
            token = tokens.add(_community(args.community), args.station)
        except HubError as exc:
            raise CliError(str(exc)) from exc
    print(token)
    return 0


def cmd_token_revoke(env: Env, args: argparse.Namespace) -> int:
    from app.cli.hub import _community, opened
    from app.services.hub import tokens

    with opened(args):
        n = tokens.revoke(_community(args.community), args.station)
    if not n:
        raise CliError(t("hub.err.no_token", station=args.station))
    print(t("hub.cli.revoked", n=n, station=args.station))
    return 0


def cmd_token_list(env: Env, args: argparse.Namespace) -> int:
    from app.cli.hub import _community, opened
    from app.services.hub import tokens

    with opened(args):
        for row in tokens.listing(_community(args.community)):
            state = t("hub.cli.token_revoked") if row.revoked_at else t("hub.cli.token_live")
            print(f"{row.station}\t{row.created_at}\t{state}")
    return 0
