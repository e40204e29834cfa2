"""``mulin hub report`` and ``mulin hub check``: the street's month and the hub's health."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app import clock
from app.cli.common import CliError, Env
from app.i18n import t


def register_hub(hub_sub: Any, add: Any) -> None:
    r = add(hub_sub, "report", "街道月报，每个社区一行 / the street's monthly report", cmd_report)
    r.add_argument("--month", default=None, metavar="YYYY-MM")
    r.add_argument("--format", default="xlsx", choices=("xlsx",))
    r.add_argument("--output", default=None, metavar="FILE")
    add(hub_sub, "check", "检查枢纽数据库 / check the hub's database", cmd_check)
    b = add(hub_sub, "backup", "pg_dump 整个枢纽 / pg_dump the whole hub", cmd_backup)
    b.add_argument("file", metavar="FILE")
    r = add(hub_sub, "restore", "从本街道的备份恢复 / restore from this street's dump",
            cmd_restore)
    r.add_argument("file", metavar="FILE")


def cmd_report(env: Env, args: argparse.Namespace) -> int:
    from app.cli.hub import opened
    from app.services.cases import metrics
    from app.services.hub import overview

    label = args.month or f"{clock.today():%Y-%m}"
    try:
        period = metrics.month(label)
    except ValueError as exc:
        raise CliError(t("hub.err.month", value=label), status=2) from exc
    path = Path(args.output or f"street-report-{period.label}.{args.format}")
    with opened(args):
        try:
            overview.write_report(period.label, path)
        except OSError as exc:
            raise CliError(t("sync.err.cannot_write", path=str(path),
                             detail=exc.strerror or str(exc))) from exc
    print(t("hub.cli.report", path=str(path)))
    return 0


def cmd_check(env: Env, args: argparse.Namespace) -> int:
    from app.cli.hub import opened
    from app.services.hub import check

    with opened(args):
        findings = check.run()
    for f in findings:
        where = f"[{f.community}] " if f.community else ""
        print(f"{where}{t('check.' + f.problem.kind)}: {f.problem.detail}")
    if findings:
        return 1
    print(t("hub.cli.check_ok"))
    return 0


def cmd_backup(env: Env, args: argparse.Namespace) -> int:
    from app.cli.hub import db_url, opened
    from app.services.hub import backup
    from app.services.hub.database import HubError

    with opened(args):
        pass  # refuse, in one line, a database that is not a hub
    try:
        backup.dump(db_url(args), Path(args.file))
    except HubError as exc:
        raise CliError(str(exc)) from exc
    print(t("hub.cli.backup", path=args.file))
    return 0


def cmd_restore(env: Env, args: argparse.Namespace) -> int:
    from app.cli.hub import db_url
    from app.services.hub import backup
    from app.services.hub.database import HubError

    try:
        backup.restore(db_url(args), Path(args.file))
    except HubError as exc:
        raise CliError(str(exc)) from exc
    print(t("hub.cli.restored", path=args.file))
    return 0
