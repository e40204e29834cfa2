"""``mulin sync http://HOST:PORT``: a station exchanging with the street hub (issue 15).

The exchange itself is :func:`app.services.hub.client.sync_or_fallback`, the very function
the sync screen's ``h`` calls; this module only prints what it did.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from app.cli.common import CliError, Env
from app.i18n import t
from app.services.hub.client import is_url
from app.services.sync.exchange import ImportResult, Progress

__all__ = ["cmd_sync_remote", "is_url"]


def cmd_sync_remote(env: Env, args: argparse.Namespace,
                    report: Callable[[list[ImportResult]], int],
                    progress: Progress | None = None) -> int:
    """Exchange with the hub; when it cannot be reached, sync by ``--fallback DIR`` (or
    ``hub_fallback`` in settings.toml, or ``MULIN_SYNC_DIR``) and say so on one line.
    ``report`` comes from :mod:`app.cli.sync` (passed in: no import loop)."""
    from app.services.hub import client
    from app.services.trust.backup import BackupError

    env.signed_in()  # a sync writes: signed in on a station with operators
    token = client.resolve_token(args.token, env.settings.hub_token)
    fallback = client.fallback_folder(args.fallback, env.settings.hub_fallback)
    try:
        done = client.sync_or_fallback(args.folder, token, fallback, progress)
    except client.Refused as exc:
        raise CliError(str(exc)) from exc
    except client.Unreachable as exc:
        raise CliError(t("hub.net.no_fallback", reason=str(exc))) from exc
    except BackupError as exc:
        raise CliError(t("trust.import_backup_failed", reason=str(exc))) from exc
    if done.remote is not None:
        print(t("hub.net.sent", url=args.folder, n=done.remote.sent.changes))
        return report([r for r in done.remote.imports if r.status not in ("already", "own")])
    assert done.folder is not None
    print(done.fallback_reason)
    status = report([r for r in done.folder.imports if r.status not in ("already", "own")])
    exported = done.folder.exported
    if exported and exported.written:
        print(t("sync.cli.exported", path=exported.path, n=exported.changes,
                origins=exported.origins))
    else:
        print(t("sync.cli.nothing_new"))
    return status
