"""Uploads of different communities applied side by side, of one community one at a time.

The stations' code that the hub runs (the write path, the importer) keeps one station
context per process (``app.store``), as a station does: one process applies one
community's bundle at a time. So the server gives each community a worker process of its
own (started on its first upload, ``spawn``: nothing inherited from the server's event
loop), and hands it that community's uploads in arrival order: two uploads for Hubin
queue behind each other while one for Dongting runs at once in another process.

Inside the worker, :func:`network.exchange_bundle` also holds the community's advisory
lock in PostgreSQL for the whole exchange (replay check, import, answer), so a second
``mulin hub serve`` on the same database, ``mulin hub import`` or the street desk never
interleave with it either.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from app.i18n import lang, t
from app.services.hub import network


class Workers:
    """One single-process pool per community, made on demand."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url
        self._pools: dict[str, ProcessPoolExecutor] = {}
        self._guard = threading.Lock()

    def _pool(self, community: str) -> ProcessPoolExecutor:
        with self._guard:
            pool = self._pools.get(community)
            if pool is None:
                pool = ProcessPoolExecutor(
                    max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                    initializer=network.worker_start, initargs=(self.db_url, lang()))
                self._pools[community] = pool
            return pool

    async def exchange(self, community: str, token: str, raw: bytes) -> network.Answer:
        """Apply ``raw`` in ``community``'s worker; the event loop stays free meanwhile."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool(community),
                                              network.exchange_bundle, token, raw)
        except BrokenProcessPool:  # the worker died (killed, out of memory): start anew
            with self._guard:
                self._pools.pop(community, None)
            return network.refuse(503, t("hub.net.worker_died"))

    def close(self) -> None:
        with self._guard:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.shutdown(wait=True, cancel_futures=True)
