"""A child process for the peak-memory figure: open the street, visit every screen, quit.

``python -m benchmarks.rss_child DATA_DIR`` (Mulin) or ``python -m benchmarks.rss_child
--bare`` (the bare Textual app, its modes visited the same way). The parent reads the
child's peak RSS from ``wait4``.
"""

from __future__ import annotations

import asyncio
import sys
from functools import partial
from pathlib import Path


async def _bare() -> None:
    from benchmarks.bare import BareApp
    from benchmarks.ui import SIZE, settle, timed

    app = BareApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for mode in ("two", "input", "one"):
            await timed(app, pilot, partial(app.switch_mode, mode))


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--bare":
        asyncio.run(_bare())
        return 0
    from benchmarks.opening import open_env
    from benchmarks.tour import make_app, visit_everything

    env = open_env(Path(argv[0]))
    asyncio.run(visit_everything(make_app(env.settings)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
