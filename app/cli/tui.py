"""Opening the TUI (``mulin`` with no command; ``mulin --demo``)."""

from __future__ import annotations

import sys

from app import clock
from app.cli.common import CliError, Env, progress_printer
from app.cli.trust import DailyBackup
from app.i18n import t


def _fill_demo(new: bool) -> None:
    """``--demo``: generate the demo station on first use (imported only here: the
    generator is a large import a desk never needs)."""
    from app.services.station import demo
    from app.services.trust.operators import add_demo_operators

    if new or demo.is_empty() or demo.unfinished():  # a demo cut short is finished
        print(t("cli.demo_first_use"), file=sys.stderr)
        demo.fill(demo.DEFAULT_COMMUNITY, demo.DEFAULT_SEED, clock.today(), progress_printer)
        add_demo_operators()  # issue 9: admin 0000, duty 1111, grid worker 2222


def run_tui(env: Env) -> int:
    if not env.demo and not env.exists():
        raise CliError(t("cli.no_station", path=str(env.paths.data_dir)))
    ctx = env.open()
    if env.demo:
        _fill_demo(ctx is None)
    elif ctx is None:
        raise CliError(t("cli.no_station", path=str(env.paths.data_dir)))
    # issue 9: the first start of each day takes a backup -- after the first frame,
    # in a thread, so a big station opens as fast as a small one (issue 16)
    daily = None if env.demo else DailyBackup(env)
    from app.tui import MulinApp  # lazy: keeps CLI commands fast

    try:
        MulinApp(env.settings, demo=env.demo,
                 after_first_paint=daily.start if daily else None).run()
    finally:
        if daily:
            daily.finish()
    return 0
