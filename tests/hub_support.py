"""The hub tests' street: small demo communities, their bundles and key files; the
throwaway PostgreSQL cluster itself lives in :mod:`tests.pg_support` (shared with the
benchmarks)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.pg_support import Cluster, pg_available, pg_bin, running_cluster

__all__ = ["Cluster", "pg_available", "pg_bin", "running_cluster"]


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
