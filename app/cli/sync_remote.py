"""``mulin sync http://HOST:PORT``: a station exchanging with the street hub (issue 15)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from app.cli.common import CliError, Env
from app.i18n import t
from app.services.hub.client import is_url
from app.services.sync.exchange import ImportResult

__all__ = ["cmd_sync_remote", "is_url"]


def cmd_sync_remote(env: Env, args: argparse.Namespace,
                    by_folder: Callable[[Env, argparse.Namespace], int],
                    report: Callable[[list[ImportResult]], int]) -> int:
    """Exchange with the hub; when it cannot be reached, use ``--fallback DIR`` (or the
    settings' ``hub_fallback``) if given. ``by_folder`` and ``report`` come from
    :mod:`app.cli.sync` (passed in: no import loop)."""
    from app.services.hub import client

    env.signed_in()  # a sync writes: signed in on a station with operators
    token = client.resolve_token(args.token, env.settings.hub_token)
    try:
        result = client.sync(args.folder, token)
    except client.Refused as exc:
        raise CliError(str(exc)) from exc
    except client.Unreachable as exc:
        fallback = client.fallback_folder(args.fallback, env.settings.hub_fallback)
        if not fallback:
            raise CliError(str(exc)) from exc
        print(t("hub.net.falling_back", reason=str(exc), folder=fallback))
        args.folder = fallback
        return by_folder(env, args)
    print(t("hub.net.sent", url=args.folder, n=result.sent.changes))
    return report([r for r in result.imports if r.status not in ("already", "own")])
