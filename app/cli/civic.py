"""``mulin opinions``: import opinions typed in from paper, and write the empty template."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.cli.common import CliError, Env
from app.i18n import t


def register(sub: Any) -> None:
    p = sub.add_parser("opinions", help="居民意见导入 / residents' opinions (import, template)")
    cmds = p.add_subparsers(dest="opinions_command", metavar="ACTION", required=True)
    i = cmds.add_parser("import", help="从 .xlsx / .csv 导入意见 / import opinions")
    i.add_argument("file", metavar="FILE", help="模板填写后的文件 / the filled-in template")
    i.add_argument("--skip-bad", action="store_true",
                   help="只导入正确的行，列出其余 / write the good rows, list the rest")
    i.set_defaults(handler=cmd_import)
    m = cmds.add_parser("template", help="生成空白导入模板 / write the empty template")
    m.add_argument("--out", metavar="FILE", default="居民意见导入模板.xlsx",
                   help="输出文件 (.xlsx 或 .csv) / output file")
    m.set_defaults(handler=cmd_template)


def cmd_import(env: Env, args: argparse.Namespace) -> int:
    from app.services.civic import importer

    ctx = env.require_station()
    try:
        report = importer.import_file(ctx.community_id, Path(args.file), args.skip_bad)
    except importer.ImportFileError as exc:
        raise CliError(str(exc)) from exc
    for problem in report.problems:
        print(t("civic.import.row", row=problem.row, reasons="；".join(problem.reasons)),
              file=sys.stderr)
    if report.problems and not args.skip_bad:
        raise CliError(t("civic.import.refused", bad=len(report.problems), rows=report.rows))
    print(t("civic.import.done", written=report.written, skipped=len(report.problems)))
    return 0


def cmd_template(env: Env, args: argparse.Namespace) -> int:
    from app.services.civic import importer

    try:
        path = importer.write_template(Path(args.out))
    except (importer.ImportFileError, OSError) as exc:
        raise CliError(str(exc)) from exc
    print(t("civic.import.template", path=str(path)))
    return 0
