"""Opinions, items (with their links and notes) and meetings (with votes) made on two
stations at once converge after the bundles cross, in either order, with duplicates."""

from __future__ import annotations

from pathlib import Path

from app.services.civic import items, meetings, opinions
from models.civic import AgendaItem, Meeting
from models.places import Building
from models.visits import LivelihoodItem, LivelihoodLink, LivelihoodNote, Opinion
from tests.sync_support import COMMUNITY, Net, seed_content


def _opinion(text: str) -> str:
    b = Building.select().where(Building.community == COMMUNITY).order_by(Building.number)[0]
    return opinions.record(opinions.OpinionForm(community_id=COMMUNITY, building_id=b.id,
                                                content=text, collected_on="2026-11-20"))


def test_civic_records_from_two_stations_converge(tmp_path: Path) -> None:
    net = Net(tmp_path)
    net.add("desk", "DK")
    seed_content()
    seed = net.export("desk", tmp_path / "seed.mulin", full=True)
    net.add("lap", "LA")
    net.import_("lap", seed)

    net.use("desk")
    item = items.create(COMMUNITY, items.ItemForm(title="加装电梯", urgency=3),
                        [_opinion("希望加装电梯")])
    meeting = meetings.create(COMMUNITY, meetings.MeetingForm(
        held_on="2026-11-24", staff="书记", title="议事会"), [item])
    meetings.decide(meetings.agenda(meeting)[0].id, meetings.DecisionForm(
        outcome="adopted", votes_for="18", votes_against="1", new_status="in_progress"))
    net.use("lap")
    other = _opinion("老楼加装电题")
    net.export("desk", tmp_path / "d1.mulin")
    net.export("lap", tmp_path / "l1.mulin")
    net.import_("lap", tmp_path / "d1.mulin", tmp_path / "d1.mulin")  # a duplicate too
    items.add_opinions(item, [other])  # the laptop groups its opinion into the desk's item
    items.add_note(item, "已联系电梯公司")
    net.export("lap", tmp_path / "l2.mulin")
    net.import_("desk", tmp_path / "l2.mulin", tmp_path / "l1.mulin")

    assert net.digest("desk") == net.digest("lap")
    for name in ("desk", "lap"):
        net.use(name)
        row = items.ranked(COMMUNITY)[0]
        assert (row.id, row.opinions, row.status) == (item, 2, "in_progress")
        assert Opinion.select().count() == 2 and LivelihoodLink.select().count() == 2
        assert LivelihoodNote.select().where(LivelihoodNote.kind == "progress").count() == 1
        assert Meeting.select().count() == 1
        assert AgendaItem.get().votes_for == 18
        assert LivelihoodItem.get_by_id(item).urgency == 3
