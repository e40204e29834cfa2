"""A tiny community for the civic tests: one grid, two buildings, four households."""

from __future__ import annotations

from app import store
from models.places import Building, Community, Grid, Household, Resident, Unit

COMMUNITY = "community-test"


def seed(community: str = COMMUNITY) -> dict[str, list[str]]:
    with store.write() as tx:
        cid = tx.insert(Community, id=community, name="测试社区")
        gid = tx.insert(Grid, community=cid, number=1, name="第1网格")
        bids = [tx.insert(Building, community=cid, grid=gid, number=str(n)) for n in (1, 2)]
        uids = [tx.insert(Unit, building=b, number=1) for b in bids]
        hids = [tx.insert(Household, building=bids[i % 2], unit=uids[i % 2], room=f"10{i}")
                for i in range(4)]
        rids = [tx.insert(Resident, household=h, name=f"居民{i}", phone=f"1380000000{i}")
                for i, h in enumerate(hids)]
    return {"community": [cid], "grid": [gid], "buildings": bids, "households": hids,
            "residents": rids}
