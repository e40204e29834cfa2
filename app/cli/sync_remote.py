"""``mulin sync http://HOST:PORT``: a station exchanging with the street hub (issue 15)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from app.cli.common import CliError, Env
from app.i18n import t
from app.services.hub.client import is_url

__all__ = ["cmd_sync_remote", "is_url"]


def cmd_sync_remote(env: Env, args: argparse.Namespace,
                    by_folder: Callable[[Env, argparse.Namespace], int]) -> int:
    """Exchange with the hub; when it cannot be reached, use ``--fallback DIR`` if given."""
    from app.cli.sync import _report
    from app.services.hub import client

    env.signed_in()  # a sync writes: signed in on a station with operators
    token = client.resolve_token(args.token, env.settings.hub_token)
    try:
        result = client.sync(args.folder, token)
    except client.Refused as exc:
        raise CliError(str(exc)) from exc
    except client.Unreachable as exc:
        fallback = args.fallback or env.settings.hub_fallback
        if not fallback:
            raise CliError(str(exc)) from exc
        print(t("hub.net.falling_back", reason=str(exc), folder=fallback))
        args.folder = fallback
        return by_folder(env, args)
    print(t("hub.net.sent", url=args.folder, n=result.sent.changes))
    return _report([r for r in result.imports if r.status not in ("already", "own")])
