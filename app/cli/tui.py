"""Opening the TUI (``mulin`` with no command; ``mulin --demo``)."""

from __future__ import annotations

import sys
from functools import partial

from app import clock
from app.cli.common import CliError, Env, progress_printer
from app.cli.trust import DailyBackup
from app.i18n import t
from app.services.trust.roster import peek


def _fill_demo(new: bool) -> None:
    """``--demo``: generate the demo station on first use (imported only here: the
    generator is a large import a desk never needs)."""
    from app.services.station import demo
    from app.services.trust.operators import add_demo_operators

    if new or demo.is_empty() or demo.unfinished():  # a demo cut short is finished
        print(t("cli.demo_first_use"), file=sys.stderr)
        demo.fill(demo.DEFAULT_COMMUNITY, demo.DEFAULT_SEED, clock.today(), progress_printer)
    add_demo_operators()  # issue 9: admin 0000, duty 1111, grid worker 2222 (any missing)


def run_tui(env: Env) -> int:
    if not env.demo and not env.exists():
        raise CliError(t("cli.no_station", path=str(env.paths.data_dir)))
    # issue 16: the sign-in is drawn from the operators' names alone; the station is
    # opened just after that first frame (None: open it first, as a demo or a station
    # that needs a migration, a passphrase or its first operator does)
    roster = None if env.demo else peek(env.paths.database)
    if roster is None:
        env.wait_when_busy()
        ctx = env.open()
        if env.demo:
            _fill_demo(ctx is None)
        elif ctx is None:
            raise CliError(t("cli.no_station", path=str(env.paths.data_dir)))
    # issue 9: the first start of each day takes a backup -- after the first frame,
    # in a thread, so a big station opens as fast as a small one (issue 16)
    daily = None if env.demo else DailyBackup(env)
    from app.tui import MulinApp, Opening, SignInFirstApp  # lazy: keeps CLI commands fast

    after = daily.start if daily else None
    app = MulinApp(env.settings, demo=env.demo, after_first_paint=after) if roster is None \
        else SignInFirstApp(env.settings, Opening(roster, partial(_open_station, env)), after)
    try:
        app.run()
    finally:
        if daily:
            daily.finish()
    failure = getattr(app, "open_failure", None)
    if failure is not None:
        raise failure  # said on one line by ``app.cli.main``, as before the TUI
    return 0


#: How long the desk's opening, under its sign-in, waits for a database another process
#: is writing (only a one-time upgrade writes while opening) before it gives up, saying so.
OPEN_PATIENCE_S = 30.0


def _open_station(env: Env) -> None:
    """The desk's station, opened after its first frame (``SignInFirstApp``)."""
    from app import store

    with store.waiting(lambda seconds: seconds < OPEN_PATIENCE_S, 300):
        ctx = env.open()
    if ctx is None:
        raise CliError(t("cli.no_station", path=str(env.paths.data_dir)))
