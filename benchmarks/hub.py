"""The street hub's figures (issue 15): ``make bench``'s ``hub`` section.

A throwaway PostgreSQL cluster is started exactly as the tests start theirs
(:mod:`tests.pg_support`); without ``initdb`` the section is skipped with that reason.
At full scale the hub holds the street: the street demo cut into its ten communities
(:mod:`benchmarks.hub_street`, each with its own key and station), ≈2.6 M changes.

* import of the full street by one ``mulin hub import`` of the ten community bundles (a
  whole process: reading, checking and applying every bundle) next to PostgreSQL's own
  ``COPY … FROM STDIN`` of the very rows the import wrote, in one transaction per
  community into empty copies of the same tables (records/s, ratio); the tiny run
  imports one demo community's bundle;
* a station's daily sync over loopback HTTP: a station of the first community (holding
  all of it, in SQLite) and the hub each write ≈300 changes of desk work, then
  ``mulin sync http://127.0.0.1:PORT`` against ``mulin hub serve`` sends the station's
  and brings back the hub's (seconds, whole process);
* the street desk's first screen with every joined community (ten at full scale): from a
  child's start (imports included) to F2's table filled (seconds), next to a bare
  one-line Textual app timed the same way, round by round (the machine's floor).

``python -m benchmarks.hub token|hubday|joined|desk|bare DBURL …`` are the children that use
the app.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks import proc
from benchmarks.core import Figure, Target, unavailable

if TYPE_CHECKING:  # the desk and bare children time their own start: only what they use
    from benchmarks import hub_street
    from benchmarks.data import DataSet

DAY_CHANGES = 300
#: The full street's import (2.6 M changes) may take this long before it is stopped.
IMPORT_TIMEOUT = 3600
TITLES = {
    "hub_import_full": ("Hub: import the street's full bundles (ten communities; tiny: one)",
                        "records/s"),
    "hub_daily_sync": ("Hub: a station's daily sync over loopback HTTP", "s"),
    "hub_desk_first": ("Hub: the street desk's first screen", "s"),
}
TARGETS = {
    "hub_import_full": Target("≥ 25% of PostgreSQL COPY's rate", "median", ">=", 0.25),
    "hub_daily_sync": Target("≤ 2 s", "median", "<=", 2.0, kind="absolute"),
    "hub_desk_first": Target("≤ 1 s", "median", "<=", 1.0, kind="absolute"),
}
COPY = "PostgreSQL COPY FROM STDIN, same rows, same tables (foreign keys included), one transaction"
BARE = "bare Textual app (one line), same child, same timing"


def not_yet(why: str) -> list[Figure]:
    return [unavailable(k, title, unit, why, TARGETS.get(k))
            for k, (title, unit) in TITLES.items()]


def _figure(key: str, samples: list[float], **kw: object) -> Figure:
    title, unit = TITLES[key]
    return Figure(key, title, unit, samples=samples, target=TARGETS[key], **kw)  # type: ignore[arg-type]


def _hub(work: Path, db_url: str, *args: str, timeout: float = 600) -> proc.Run:
    from benchmarks.sync import _mulin

    return _mulin(work / "hub-cli", "hub", args[0], "--db", db_url, *args[1:],
                  timeout=timeout)


def _child(*args: str) -> str:
    run = subprocess.run([sys.executable, "-m", "benchmarks.hub", *args], env=proc.child_env(),
                         capture_output=True, text=True, timeout=600, cwd=proc.ROOT)
    if run.returncode != 0:
        raise RuntimeError(f"benchmarks.hub {args[0]}: {run.stderr[-600:]}")
    return run.stdout.strip().splitlines()[-1]


def _join(work: Path, db_url: str, data: DataSet, prefix: str) -> tuple[Path, Path]:
    """A private copy of ``data``'s station joined to the hub; returns it and its bundle
    (the tiny run's one community)."""
    from benchmarks.sync import _mulin

    station = data.copy_to(work / data.name)
    key, full = work / f"{data.name}.key", work / f"{data.name}.mulin"
    _mulin(station, "key", "export", str(key))
    _mulin(station, "export", "--full", str(full))
    _hub(work, db_url, "join", str(key), "--prefix", prefix)
    return station, full


def _street_station(work: Path, db_url: str, piece: hub_street.Piece) -> Path:
    """A new station of ``piece``'s community, holding all of it, that knows the hub."""
    from benchmarks.sync import _mulin

    station = work / "station"
    _mulin(station, "init", "--join", str(piece.key), "--station", "值班站", "--prefix",
           "DT", "--no-encrypt")
    _mulin(station, "import", str(piece.bundle))
    hub_file = work / "from-hub.mulin"
    _hub(work, db_url, "export", "--community", piece.community_id, str(hub_file))
    _mulin(station, "import", str(hub_file))
    return station


def _foreign_keys(conn: Any, schema: str) -> list[tuple[str, str, str]]:
    """(table, referenced table, definition) of every foreign key of ``schema``."""
    return [tuple(r) for r in conn.execute(  # type: ignore[misc]
        "SELECT c.relname, r.relname, pg_get_constraintdef(k.oid) FROM pg_constraint k "
        "JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid "
        "WHERE k.contype = 'f' AND k.connamespace = %s::regnamespace", (schema,))]


def _parents_first(tables: list[str], keys: list[tuple[str, str, str]]) -> list[str]:
    """``tables`` ordered so that every referenced table comes before its referrers."""
    waiting = {t: {parent for child, parent, _ in keys if child == t and parent != t}
               for t in tables}
    order: list[str] = []
    while waiting:
        ready = sorted(t for t, parents in waiting.items() if not parents - set(order))
        order += ready or sorted(waiting)
        for table in ready or list(waiting):
            del waiting[table]
    return order


def copy_reference(db_url: str, schema: str) -> tuple[int, float]:
    """Rows in ``schema`` and the seconds ``COPY FROM STDIN`` takes to write them again into
    empty tables of the same definition — indexes, defaults, checks and the foreign keys
    the import must satisfy too (``LIKE … INCLUDING ALL`` leaves those out, so they are
    added, and tables are filled parents first) — in one transaction."""
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
            "AND table_type = 'BASE TABLE'", (schema,))]
        keys = _foreign_keys(conn, schema)
        conn.execute("DROP SCHEMA IF EXISTS copy_ref CASCADE")
        conn.execute("CREATE SCHEMA copy_ref")
        data, rows = {}, 0
        for table in _parents_first(tables, keys):
            conn.execute(f'CREATE TABLE copy_ref."{table}" (LIKE "{schema}"."{table}" '
                         "INCLUDING ALL)")
            buf = bytearray()
            with conn.cursor().copy(f'COPY "{schema}"."{table}" TO STDOUT') as cp:
                for chunk in cp:
                    buf += chunk
            data[table] = bytes(buf)
            rows += int(conn.execute(f'SELECT count(*) FROM "{schema}"."{table}"')
                        .fetchone()[0])  # type: ignore[index]
        for table, _parent, definition in keys:
            definition = definition.replace(f"REFERENCES {schema}.", "REFERENCES copy_ref.")
            conn.execute(f'ALTER TABLE copy_ref."{table}" ADD {definition}')
        started = time.perf_counter()
        with conn.transaction(), conn.cursor() as cur:
            for table, raw in data.items():
                with cur.copy(f'COPY copy_ref."{table}" FROM STDIN') as cp:
                    cp.write(raw)
        seconds = time.perf_counter() - started
        conn.execute("DROP SCHEMA copy_ref CASCADE")
    return rows, seconds


def _serve(db_url: str) -> tuple[subprocess.Popen[bytes], str]:
    import urllib.request

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


def _daily(station: Path, url: str, token: str, db_url: str, community: str,
           runs: int) -> list[float]:
    """Each day: the hub's side of the community writes ≈300 changes (another desk's
    day, arriving at the hub before this station syncs), this station writes ≈300; then
    the timed ``mulin sync http://…`` sends this station's and brings back the hub's."""
    from benchmarks.sync import _mulin

    _mulin(station, "sync", url, "--token", token)  # first contact: not timed
    samples = []
    for day in range(1, runs + 1):
        _child("hubday", db_url, community, str(DAY_CHANGES), str(day))
        proc.run_plain([sys.executable, "-m", "benchmarks.day_work", str(station),
                        str(DAY_CHANGES), str(day)], proc.child_env())
        samples.append(_mulin(station, "sync", url, "--token", token).seconds)
    return samples


def _copy_all(db_url: str) -> tuple[int, float]:
    """The COPY reference summed over every joined community's schema."""
    import psycopg

    with psycopg.connect(db_url) as conn:
        schemas = [r[0] for r in conn.execute(
            "SELECT schema_name FROM mulin_hub.hub_community ORDER BY schema_name")]
    rows = seconds = 0.0
    for schema in schemas:
        n, secs = copy_reference(db_url, schema)
        rows, seconds = rows + n, seconds + secs
    return int(rows), seconds


def _street(work: Path, db_url: str, street: DataSet) -> tuple[float, Path, str]:
    """The full street cut in ten communities (:mod:`benchmarks.hub_street`) joined and
    imported by one timed ``mulin hub import``; then a station of the first community
    (holding all of it, knowing the hub). Returns (import seconds, station, community id)."""
    from benchmarks import hub_street

    pieces = hub_street.split(street.template, work / "street")
    for piece in pieces:
        _hub(work, db_url, "join", str(piece.key), "--prefix", "JD")
    seconds = _hub(work, db_url, "import", *(str(p.bundle) for p in pieces),
                   timeout=IMPORT_TIMEOUT).seconds
    return seconds, _street_station(work, db_url, pieces[0]), pieces[0].community_id


def _demo(work: Path, db_url: str, street: DataSet, dongting: DataSet
          ) -> tuple[float, Path, str]:
    """The tiny run: one or two demo communities; the first one's import is timed."""
    station, full = _join(work, db_url, street, "JD")
    if dongting.community != street.community:
        _hub(work, db_url, "import", str(_join(work, db_url, dongting, "JE")[1]))
    seconds = _hub(work, db_url, "import", str(full)).seconds
    return seconds, station, "JD"


def measure(street: DataSet, dongting: DataSet, work: Path, runs: int) -> list[Figure]:
    from tests.pg_support import pg_available, running_cluster

    why = pg_available()
    if why:
        return not_yet(why)
    work.mkdir(parents=True, exist_ok=True)
    full = street.name == "street"
    with running_cluster() as cluster:
        db_url = cluster.create_database("mulin_hub_bench")
        _hub(work, db_url, "init")
        seconds, station, community = (_street(work, db_url, street) if full
                                        else _demo(work, db_url, street, dongting))
        token, schema = _child("token", db_url, community).split("\t")
        rows, copy_seconds = _copy_all(db_url) if full else copy_reference(db_url, schema)
        joined = int(_child("joined", db_url))
        what = "the full street cut in ten community bundles" if full else "one demo bundle"
        figures = [_figure("hub_import_full", [rows / seconds], reference=COPY,
                           reference_samples=[rows / copy_seconds],
                           note=f"{rows:,} rows: {what}, one whole `mulin hub import` "
                                f"process {seconds:.0f} s; COPY {copy_seconds:.0f} s")]
        server, url = _serve(db_url)
        try:
            figures.append(_figure("hub_daily_sync", _daily(
                station, url, token, db_url, community, runs),
                note=f"hub holding {joined} communities; {DAY_CHANGES} changes of desk work "
                     "each way; whole `mulin sync http://…` process"))
        finally:
            server.terminate()
            server.wait(timeout=30)
        desk, bare = [], []
        for _ in range(runs):  # interleaved: both see the same load
            desk.append(float(_child("desk", db_url)))
            bare.append(float(_child("bare", db_url)))
        figures.append(_figure("hub_desk_first", desk, reference=BARE, reference_samples=bare,
                               note=f"{joined} joined communities; child start (imports "
                                    "included) to the filled table"))
    return figures


# -- children (they import the app) ------------------------------------------------------
def _community(db_url: str, which: str) -> Any:
    """A joined community by id, or by its hub prefix (the tiny run's)."""
    from app.services.hub import database as hubdb

    hubdb.open_hub(db_url)
    return next(c for c in hubdb.communities() if which in (c.id, c.prefix))


def _token(db_url: str, which: str) -> None:
    from app.services.hub import tokens

    community = _community(db_url, which)
    print(f"{tokens.add(community, 'bench')}\t{community.schema_name}")


def _hub_day(db_url: str, which: str, changes: int, day: int) -> None:
    """Another desk's day arriving at the hub: written in the hub's copy of the community
    (its own station there), on other residents than the measured station's."""
    from app.services.hub import database as hubdb
    from benchmarks.day_work import write

    hubdb.activate(_community(db_url, which))
    print(write(changes, offset=changes, day=day))


def _joined(db_url: str) -> None:
    from app.services.hub import database as hubdb

    hubdb.open_hub(db_url)
    print(len(hubdb.communities()))


def _desk(db_url: str, started: float) -> None:
    """As ``mulin hub`` (``app.cli.hub.cmd_desk``) opens the desk."""
    import asyncio

    from app.services.hub import database as hubdb
    from app.services.hub import desk

    hubdb.open_hub(db_url)
    prefixes = desk.start()
    joined = len(prefixes.split("/"))
    from app.hub_tui import HubApp

    async def first_screen() -> float:
        app = HubApp(prefixes)
        async with app.run_test(size=(80, 24)) as pilot:
            while True:
                tables = app.screen.query("#hub-communities")
                if tables and getattr(tables.first(), "row_count", 0) >= joined:
                    return time.perf_counter() - started
                await pilot.pause(0.01)

    print(f"{asyncio.run(first_screen()):.4f}")


def _bare(started: float) -> None:
    """The floor of :func:`_desk` on this machine now: a one-line Textual app, same way."""
    import asyncio

    from benchmarks.bare import BareApp

    async def first_screen() -> float:
        app = BareApp()
        async with app.run_test(size=(80, 24)) as pilot:
            while not app.screen.query("Static"):
                await pilot.pause(0.01)
            return time.perf_counter() - started

    print(f"{asyncio.run(first_screen()):.4f}")


if __name__ == "__main__":
    began = time.perf_counter()
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    if sys.argv[1] == "token":
        _token(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "hubday":
        _hub_day(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    elif sys.argv[1] == "joined":
        _joined(sys.argv[2])
    elif sys.argv[1] == "bare":
        _bare(began)
    else:
        _desk(sys.argv[2], began)
