"""Changing the deadline rules moves the cached due times of the cases already held,
whether the change is made here or arrives in a bundle from another station."""

from __future__ import annotations

from pathlib import Path

from app import clock, store
from app.config import Paths
from app.services.cases import cache
from app.services.cases import lifecycle as cases
from app.services.cases.deadlines import DeadlineRules, Limit
from models.cases import Case
from models.places import Community
from tests.sync_support import Net, seed_content

#: Green cases resolved within one working day instead of five.
FAST_GREEN = DeadlineRules(colours={
    "red": Limit(respond_minutes=30, resolve_days=1),
    "yellow": Limit(respond_minutes=240, resolve_days=2),
    "green": Limit(respond_minutes=60, resolve_days=1),
})


def _due(case_id: str) -> tuple[str, str, str]:
    case = Case.get_by_id(case_id)
    return tuple(f"{clock.local(d):%m-%d %H:%M}"  # type: ignore[return-value]
                 for d in (case.due_response, case.due_resolution, case.due_next))


def test_new_rules_recompute_every_case(empty_station: Paths) -> None:
    with store.write() as tx:
        tx.insert(Community, id="community-test", name="测试社区")
    new = cases.intake({"category": "114", "description": "咨询医保", "colour": "green"})
    assert _due(new.id) == ("11-25 14:00", "12-02 10:00", "11-25 14:00")
    assert cache.change_deadline_rules(FAST_GREEN) == 1
    assert _due(new.id) == ("11-25 11:00", "11-26 10:00", "11-25 11:00")
    assert cases.refresh_community("community-test") == 1  # idempotent
    assert _due(new.id) == ("11-25 11:00", "11-26 10:00", "11-25 11:00")


def test_rules_arriving_in_a_bundle_recompute_the_cases_here(tmp_path: Path) -> None:
    net = Net(tmp_path)
    net.add("desk", "DK")
    case_id = seed_content(n_cases=1)["cases"][0]
    net.add("lap", "LA")
    net.import_("lap", net.export("desk", tmp_path / "first.mulin"))
    assert _due(case_id)[1] == "11-27 10:00"  # category 110 is yellow: 2 working days
    with net.at("desk"):
        cache.change_deadline_rules(DeadlineRules(colours={
            **FAST_GREEN.colours, "yellow": Limit(respond_minutes=240, resolve_days=4)}))
    (result,) = net.import_("lap", net.export("desk", tmp_path / "rules.mulin"))
    assert result.status == "applied"
    assert _due(case_id)[1] == "12-01 10:00"
