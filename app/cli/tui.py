"""Opening the TUI (``mulin`` with no command; ``mulin --demo``)."""

from __future__ import annotations

import sys

from app import clock
from app.cli.common import CliError, Env, progress_printer
from app.cli.trust import daily_backup
from app.i18n import t
from app.services.station import demo
from app.services.trust.operators import add_demo_operators


def run_tui(env: Env) -> int:
    if not env.demo and not env.exists():
        raise CliError(t("cli.no_station", path=str(env.paths.data_dir)))
    ctx = env.open()
    if env.demo and (ctx is None or demo.is_empty() or demo.unfinished()):
        print(t("cli.demo_first_use"), file=sys.stderr)
        demo.fill(demo.DEFAULT_COMMUNITY, demo.DEFAULT_SEED, clock.today(), progress_printer)
        add_demo_operators()  # issue 9: admin 0000, duty 1111, grid worker 2222
    elif ctx is None:
        raise CliError(t("cli.no_station", path=str(env.paths.data_dir)))
    if not env.demo:
        daily_backup(env)  # issue 9: the first start of each day takes a backup
    from app.tui import MulinApp  # lazy: keeps CLI commands fast

    MulinApp(env.settings, demo=env.demo).run()
    return 0
