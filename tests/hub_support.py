"""A throwaway PostgreSQL cluster for the hub tests (no SQLite stand-in, ever).

``initdb`` + ``pg_ctl`` run as the ``postgres`` user when the tests run as root (the
server refuses root), in a temporary directory, on a free loopback port; the cluster is
stopped and removed afterwards. Each test gets a fresh database in it.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def pg_bin(name: str) -> str:
    """The path of a PostgreSQL server program (PATH, else Debian's versioned dirs)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(p.split("/")[4]))
    if not candidates:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (apt-get install postgresql)")
    return candidates[-1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class Cluster:
    """One running PostgreSQL server in a temporary directory."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="mulin-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.user = "postgres" if os.geteuid() == 0 else os.environ.get("USER", "postgres")

    def _run(self, args: list[str]) -> None:
        subprocess.run(_as_server_user(args), check=True, capture_output=True, text=True)

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        os.chmod(self.root, 0o700)
        self._run([pg_bin("initdb"), "-D", str(self.data), "-U", self.user, "-A", "trust",
                   "-E", "UTF8", "--no-sync"])
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c full_page_writes=off -c synchronous_commit=off")
        self._run([pg_bin("pg_ctl"), "-D", str(self.data), "-o", options,
                   "-l", str(self.root / "server.log"), "-w", "start"])

    def stop(self) -> None:
        try:
            self._run([pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"])
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str | None = None) -> str:
        """A new empty database; returns its URL."""
        import psycopg

        name = name or f"hub_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextmanager
def running_cluster() -> Iterator[Cluster]:
    cluster = Cluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


# -- small demo communities ---------------------------------------------------------------
SMALL_HOUSEHOLDS = 600  # the smallest size whose layout still holds 王秀兰's flat (12-3-402)


def small_demo(paths: Any, key: str, seed: int = 1) -> None:
    """A demo community at a reduced size into the empty station at ``paths`` (active)."""
    from dataclasses import replace

    from app.services.station import identity as station
    from fixtures import demo
    from fixtures.demo.profiles import PROFILES
    from tests.conftest import AS_OF

    station.open_station(paths)
    profile = replace(PROFILES[key], households=SMALL_HOUSEHOLDS,
                      residents=SMALL_HOUSEHOLDS * 3, cases_per_year=60, mediations_per_year=4)
    station.create_station("演示站", profile.prefix, demo.community_id(key, seed))
    demo._generate([profile], 1, seed, AS_OF, None)


def key_file(path: Path, passphrase: str = "correct horse 1") -> Path:
    """The active station's community key, sealed as ``mulin key export`` does."""
    from app.services.sync import bundle, keys

    bundle.write_atomically(path, keys.seal(keys.current(), passphrase))
    return path


PASSPHRASE = "correct horse 1"


@dataclass
class Street:
    """One small demo community's station, its full bundle, key file and digest."""

    name: str
    paths: Any
    bundle: Path
    key: Path
    digest: str


def close_station() -> None:
    from app import store
    from models.db import db

    store.activate(None)
    if not db.is_closed():
        db.close()


def build_street(root: Path) -> dict[str, Street]:
    """Small Hubin and Dongting stations (generated once per session by the fixture)."""
    from app.config import Paths
    from app.services.station import stats
    from app.services.sync import exchange

    out: dict[str, Street] = {}
    for key, name in (("hubin", "湖滨社区"), ("dongting", "东亭社区")):
        paths = Paths(root / key)
        small_demo(paths, key)
        bundle = exchange.export_bundle(root / f"{key}.mulin", full=True)
        out[key] = Street(name, paths, Path(bundle.path), key_file(root / f"{key}.key"),
                          stats.digest())
        close_station()
    return out


def copy_station(street: Street, target: Path) -> Any:
    """A private copy of a street station's data directory; returns its Paths."""
    from app.config import Paths

    shutil.copytree(street.paths.data_dir, target)
    return Paths(target)
