"""``mulin mediation``: list records, overdue follow-ups, export the agreement document."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli.common import CliError, Env
from app.cli.errors import os_message
from app.cli.trust import add_plain_option, say_how_written
from app.i18n import t


def register(sub: Any) -> None:
    p = sub.add_parser("mediation", help="调解记录与协议书 / mediation records and agreements")
    cmds = p.add_subparsers(dest="mediation_command", metavar="ACTION", required=True)
    e = cmds.add_parser("export", help="导出人民调解协议书 / export the agreement document")
    e.add_argument("number", metavar="NUMBER", help="调解编号, e.g. HB-TJ-2026-001")
    e.add_argument("--format", choices=("md", "pdf"), default="md")
    e.add_argument("--out", metavar="FILE", help="输出文件 / output file")
    e.add_argument("--with-contact", action="store_true",
                   help="在协议书中写入当事人联系方式 / include the parties' phone numbers")
    add_plain_option(e)
    e.set_defaults(handler=cmd_export)
    o = cmds.add_parser("overdue", help="逾期的履行回访 / overdue follow-ups")
    o.set_defaults(handler=cmd_overdue)


def cmd_export(env: Env, args: argparse.Namespace) -> int:  # personal data: signed in
    from app.services.mediation import agreement_doc
    from app.services.mediation import views as mediation_views

    ctx = env.signed_in()
    mediation_id = mediation_views.by_number(ctx.community_id, args.number)
    if mediation_id is None:
        raise CliError(t("med.cli.no_number", number=args.number))
    out = Path(args.out) if args.out else None
    if out is not None and out.is_dir():
        raise CliError(t("faults.out_is_dir", path=str(out)))
    try:
        written = agreement_doc.write(mediation_id, args.format, out, args.with_contact,
                                      plain=args.plain)
    except OSError as exc:
        raise CliError(os_message(exc, out)) from exc
    print(t("med.cli.written", path=str(written.path)))
    say_how_written(written)
    return 0


def cmd_overdue(env: Env, args: argparse.Namespace) -> int:
    from app.services.mediation import views as mediation_views

    ctx = env.signed_in()  # parties' names
    rows = mediation_views.overdue_follow_ups(ctx.community_id)
    for row in rows:
        print(t("med.overdue_line", number=row.number, party=row.party,
                obligation=row.obligation, deadline=row.deadline.isoformat(),
                days=row.days_overdue))
    if not rows:
        print(t("med.cli.none_overdue"))
    return 0
