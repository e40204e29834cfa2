"""The street hub's figures (issue 15): ``make bench``'s ``hub`` section.

A throwaway PostgreSQL cluster is started exactly as the tests start theirs
(:mod:`tests.pg_support`); without ``initdb`` the section is skipped with that reason.

* import of a full community bundle by ``mulin hub import`` (a whole process) next to
  PostgreSQL's own ``COPY … FROM STDIN`` of the very rows the import wrote, in one
  transaction into empty copies of the same tables (records/s, ratio);
* a station's daily sync over loopback HTTP: ≈300 changes of desk work, then
  ``mulin sync http://127.0.0.1:PORT`` against ``mulin hub serve`` (seconds, whole process);
* the street desk's first screen with the joined communities: from a child's start
  (imports included) to F2's table filled (seconds).

``python -m benchmarks.hub token|desk DBURL …`` are the children that use the app.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from benchmarks import proc
from benchmarks.core import Figure, Target, unavailable
from benchmarks.data import DataSet

DAY_CHANGES = 300
TITLES = {
    "hub_import_full": ("Hub: import a full community bundle", "records/s"),
    "hub_daily_sync": ("Hub: a station's daily sync over loopback HTTP", "s"),
    "hub_desk_first": ("Hub: the street desk's first screen", "s"),
}
TARGETS = {
    "hub_import_full": Target("≥ 25% of PostgreSQL COPY's rate", "median", ">=", 0.25),
    "hub_daily_sync": Target("≤ 2 s", "median", "<=", 2.0, kind="absolute"),
    "hub_desk_first": Target("≤ 1 s", "median", "<=", 1.0, kind="absolute"),
}
COPY = "PostgreSQL COPY FROM STDIN, same rows, one transaction"


def not_yet(why: str) -> list[Figure]:
    return [unavailable(k, title, unit, why, TARGETS.get(k))
            for k, (title, unit) in TITLES.items()]


def _figure(key: str, samples: list[float], **kw: object) -> Figure:
    title, unit = TITLES[key]
    return Figure(key, title, unit, samples=samples, target=TARGETS[key], **kw)  # type: ignore[arg-type]


def _hub(work: Path, db_url: str, *args: str) -> proc.Run:
    from benchmarks.sync import _mulin

    return _mulin(work / "hub-cli", "hub", args[0], "--db", db_url, *args[1:])


def _child(*args: str) -> str:
    run = subprocess.run([sys.executable, "-m", "benchmarks.hub", *args], env=proc.child_env(),
                         capture_output=True, text=True, timeout=600, cwd=proc.ROOT)
    if run.returncode != 0:
        raise RuntimeError(f"benchmarks.hub {args[0]}: {run.stderr[-600:]}")
    return run.stdout.strip().splitlines()[-1]


def _join(work: Path, db_url: str, data: DataSet, prefix: str) -> tuple[Path, Path]:
    """A private copy of ``data``'s station joined to the hub; returns it and its bundle."""
    from benchmarks.sync import _mulin

    station = data.copy_to(work / data.name)
    key, full = work / f"{data.name}.key", work / f"{data.name}.mulin"
    _mulin(station, "key", "export", str(key))
    _mulin(station, "export", "--full", str(full))
    _hub(work, db_url, "join", str(key), "--prefix", prefix)
    return station, full


def copy_reference(db_url: str, schema: str) -> tuple[int, float]:
    """Rows in ``schema`` and the seconds ``COPY FROM STDIN`` takes to write them again into
    empty tables of the same definition (indexes included), in one transaction."""
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
            "AND table_type = 'BASE TABLE'", (schema,))]
        conn.execute("DROP SCHEMA IF EXISTS copy_ref CASCADE")
        conn.execute("CREATE SCHEMA copy_ref")
        data, rows = {}, 0
        for table in tables:
            conn.execute(f'CREATE TABLE copy_ref."{table}" (LIKE "{schema}"."{table}" '
                         "INCLUDING ALL)")
            buf = bytearray()
            with conn.cursor().copy(f'COPY "{schema}"."{table}" TO STDOUT') as cp:
                for chunk in cp:
                    buf += chunk
            data[table] = bytes(buf)
            rows += int(conn.execute(f'SELECT count(*) FROM "{schema}"."{table}"')
                        .fetchone()[0])  # type: ignore[index]
        started = time.perf_counter()
        with conn.transaction(), conn.cursor() as cur:
            for table, raw in data.items():
                with cur.copy(f'COPY copy_ref."{table}" FROM STDIN') as cp:
                    cp.write(raw)
        seconds = time.perf_counter() - started
        conn.execute("DROP SCHEMA copy_ref CASCADE")
    return rows, seconds


def _serve(db_url: str) -> tuple[subprocess.Popen[bytes], str]:
    from tests.pg_support import free_port

    port = free_port()
    server = subprocess.Popen(proc.mulin("hub", "serve", "--db", db_url, "--listen",
                                         f"127.0.0.1:{port}"), env=proc.child_env(),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        if server.poll() is not None:
            raise RuntimeError("mulin hub serve: " + (server.stderr.read() or b"").decode()[-600:]
                               if server.stderr else "mulin hub serve died")
        try:
            urllib.request.urlopen(url + "/v1/health", timeout=1).read()
            return server, url
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("mulin hub serve did not answer within 30 s")


def _daily(station: Path, url: str, token: str, runs: int) -> list[float]:
    from benchmarks.sync import _mulin

    _mulin(station, "sync", url, "--token", token)  # first contact: not timed
    samples = []
    for _ in range(runs):
        proc.run_plain([sys.executable, "-m", "benchmarks.day_work", str(station),
                        str(DAY_CHANGES)], proc.child_env())
        samples.append(_mulin(station, "sync", url, "--token", token).seconds)
    return samples


def measure(street: DataSet, dongting: DataSet, work: Path, runs: int) -> list[Figure]:
    from tests.pg_support import pg_available, running_cluster

    why = pg_available()
    if why:
        return not_yet(why)
    work.mkdir(parents=True, exist_ok=True)
    with running_cluster() as cluster:
        db_url = cluster.create_database("mulin_hub_bench")
        _hub(work, db_url, "init")
        station, full = _join(work, db_url, street, "JD")
        seconds = _hub(work, db_url, "import", str(full)).seconds
        token, schema = _child("token", db_url, "JD").split("\t")
        rows, copy_seconds = copy_reference(db_url, schema)
        communities = 1
        if dongting.community != street.community:
            _, other = _join(work, db_url, dongting, "JE")
            _hub(work, db_url, "import", str(other))
            communities = 2
        figures = [_figure("hub_import_full", [rows / seconds], reference=COPY,
                           reference_samples=[rows / copy_seconds],
                           note=f"{rows:,} rows; the import is a whole `mulin hub import` "
                                "process")]
        server, url = _serve(db_url)
        try:
            figures.append(_figure("hub_daily_sync", _daily(station, url, token, runs),
                                   note=f"{DAY_CHANGES} changes of desk work, whole "
                                        "`mulin sync http://…` process"))
        finally:
            server.terminate()
            server.wait(timeout=30)
        desk = [float(_child("desk", db_url)) for _ in range(runs)]
        figures.append(_figure("hub_desk_first", desk,
                               note=f"{communities} joined communities (the bench's data "
                                    "sets); child start to the filled table"))
    return figures


# -- children (they import the app) ------------------------------------------------------
def _token(db_url: str, prefix: str) -> None:
    from app.services.hub import database as hubdb
    from app.services.hub import tokens

    hubdb.open_hub(db_url)
    community = next(c for c in hubdb.communities() if c.prefix == prefix)
    print(f"{tokens.add(community, 'bench')}\t{community.schema_name}")


def _desk(db_url: str, started: float) -> None:
    import asyncio

    from app.hub_tui import HubApp
    from app.services.hub import database as hubdb

    hubdb.open_hub(db_url)
    joined = len(hubdb.communities())

    async def first_screen() -> float:
        app = HubApp()
        async with app.run_test(size=(80, 24)) as pilot:
            while True:
                tables = app.screen.query("#hub-communities")
                if tables and getattr(tables.first(), "row_count", 0) >= joined:
                    return time.perf_counter() - started
                await pilot.pause(0.01)

    print(f"{asyncio.run(first_screen()):.4f}")


if __name__ == "__main__":
    began = time.perf_counter()
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    if sys.argv[1] == "token":
        _token(sys.argv[2], sys.argv[3])
    else:
        _desk(sys.argv[2], began)
