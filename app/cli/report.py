"""``mulin report --month 2026-11 --format xlsx|csv [--out FILE]``: the monthly report."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli.common import CliError, Env
from app.cli.errors import os_reason
from app.cli.trust import add_plain_option, say_how_written
from app.i18n import t


def register(sub: Any) -> None:
    p = sub.add_parser("report", help="月度报表（三率）/ monthly report of the rates")
    p.add_argument("--month", required=True, metavar="YYYY-MM")
    p.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    p.add_argument("--out", metavar="FILE", help="输出文件 / output file")
    add_plain_option(p)
    p.set_defaults(handler=cmd_report)


def cmd_report(env: Env, args: argparse.Namespace) -> int:
    from app.services.cases import metrics
    from app.services.places import views as places

    ctx = env.signed_in()
    try:
        period = metrics.month(args.month)
    except ValueError as exc:
        raise CliError(t("report.bad_month", month=args.month), status=2) from exc
    community = next((c for c in places.communities() if c.id == ctx.community_id),
                     places.default_community())
    if community is None:
        raise CliError(t("report.no_community"))
    out = Path(args.out) if args.out else \
        env.paths.exports / f"report-{period.label}.{args.format}"
    if out.is_dir():  # a folder is no file name (issue 18)
        raise CliError(t("faults.out_is_dir", path=str(out)))
    title = t("report.title", community=community.name, month=period.label)
    try:
        written = metrics.export_report(community.id, period, args.format, out, title=title,
                                        plain=args.plain)
    except OSError as exc:
        raise CliError(t("report.cannot_write", path=str(out), detail=os_reason(exc))) from exc
    path = written.path
    say_how_written(written)
    total = metrics.total(community.id, period)
    print(t("report.done", path=str(path), received=total.received,
            response=metrics.percent(total.response_rate),
            resolution=metrics.percent(total.resolution_rate),
            satisfaction=metrics.percent(total.satisfaction_rate)))
    return 0
