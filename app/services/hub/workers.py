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

Workers are not kept for ever: at most :data:`MAX_IDLE_WORKERS` communities keep a worker
(~70 MB each) while it waits; when another community's upload needs one, the worker idle
the longest is stopped first (a district hub of a hundred communities stays bounded). A
worker with an upload in hand is never stopped.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from app.i18n import lang, t
from app.services.hub import network

#: Communities whose worker is kept while it waits for their next upload.
MAX_IDLE_WORKERS = 4


@dataclass
class _Worker:
    pool: ProcessPoolExecutor
    busy: int = 0
    last_used: float = 0.0


class Workers:
    """One single-process pool per community, made on demand, the longest idle stopped
    beyond ``keep`` (:data:`MAX_IDLE_WORKERS`)."""

    def __init__(self, db_url: str, keep: int = MAX_IDLE_WORKERS) -> None:
        self.db_url = db_url
        self.keep = keep
        self._workers: dict[str, _Worker] = {}
        self._guard = threading.Lock()
        self._tick = 0.0

    def running(self) -> list[str]:
        """The communities that have a worker now."""
        with self._guard:
            return list(self._workers)

    def _take(self, community: str) -> ProcessPoolExecutor:
        """``community``'s worker, marked busy (made first, idle ones stopped if needed)."""
        with self._guard:
            worker = self._workers.get(community)
            if worker is None:
                self._make_room()
                worker = self._workers[community] = _Worker(ProcessPoolExecutor(
                    max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                    initializer=network.worker_start, initargs=(self.db_url, lang())))
            worker.busy += 1
            return worker.pool

    def _give_back(self, community: str) -> None:
        with self._guard:
            worker = self._workers.get(community)
            if worker is not None:
                worker.busy -= 1
                self._tick += 1
                worker.last_used = self._tick

    def _make_room(self) -> None:
        """Stop the longest-idle workers until a new one fits within ``keep`` (never one
        that is applying an upload). Called under the guard."""
        idle = sorted((w.last_used, c) for c, w in self._workers.items() if not w.busy)
        while len(self._workers) >= self.keep and idle:
            _, community = idle.pop(0)
            self._workers.pop(community).pool.shutdown(wait=False)

    async def exchange(self, community: str, token: str, raw: bytes) -> network.Answer:
        """Apply ``raw`` in ``community``'s worker; the event loop stays free meanwhile."""
        loop = asyncio.get_running_loop()
        pool = self._take(community)
        try:
            return await loop.run_in_executor(pool, network.exchange_bundle, token, raw)
        except BrokenProcessPool:  # the worker died (killed, out of memory): start anew
            with self._guard:
                self._workers.pop(community, None)
            return network.refuse(503, t("hub.net.worker_died"))
        finally:
            self._give_back(community)

    def close(self) -> None:
        with self._guard:
            stopping, self._workers = list(self._workers.values()), {}
        for worker in stopping:
            worker.pool.shutdown(wait=True, cancel_futures=True)
