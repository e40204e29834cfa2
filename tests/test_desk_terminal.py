"""A phone call becomes a dispatched case in at most 12 keys plus typed text, in a real
terminal at 80x24 on the Dongting demo (issue 13)."""

from __future__ import annotations

import shlex
import subprocess
import sys
import time
import uuid
from pathlib import Path

from app.config import Paths
from app.services.station import identity as station
from models.cases import Case, CaseEvent
from tests.tmux_support import ROOT, needs_tmux, wait_for

pytestmark = needs_tmux
KEY_BUDGET = 12



class Desk:
    """Sends keys to the session and counts them; typed text is sent and not counted."""

    def __init__(self, session: str) -> None:
        self.session, self.keys = session, 0

    def key(self, *names: str) -> None:
        for name in names:
            subprocess.run(["tmux", "send-keys", "-t", self.session, name], check=True)
            self.keys += 1
            time.sleep(0.4)

    def type(self, text: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.session, "-l", text], check=True)
        time.sleep(0.8)


def test_phone_call_to_dispatched_case_in_twelve_keys(tmp_path: Path) -> None:
    session = f"desk-test-{uuid.uuid4().hex[:8]}"
    command = (f"cd {shlex.quote(str(ROOT))} && MULIN_NOW=2026-11-25T10:00:00+08:00 "
               f"{shlex.quote(sys.executable)} -m app --data-dir {shlex.quote(str(tmp_path))} "
               f"--demo; sleep 5")
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "24",
                    command], check=True)
    try:
        wait_for(session, "请登录")
        subprocess.run(["tmux", "send-keys", "-t", session, "0", "0", "0", "0", "Enter"],
                       check=True)
        wait_for(session, "网格地图")
        desk = Desk(session)
        # 王秀兰 of 12-3-402 calls: the corridor light is out; 李伟友 is sent
        desk.key("F9")
        wait_for(session, "受理诉求", 20)
        desk.type("12-3-402")
        wait_for(session, "王秀兰", 20)
        desk.key("Enter")  # the only resident at that door: taken, phone and door filled
        desk.type("td")  # 停电
        desk.key("Enter")
        desk.type("楼道停电，老人怕黑")
        desk.key("Enter")
        desk.type("lwy")
        wait_for(session, "李伟友", 20)
        desk.key("Enter")
        desk.key("C-s")
        wait_for(session, "诉求案件", 20)
        assert desk.keys <= KEY_BUDGET, f"{desk.keys} keys"
        station_paths = Paths(tmp_path / "demo")
        station.open_station(station_paths)
        case = Case.select().order_by(Case.received_at.desc(), Case.number.desc()).first()
        wait_for(session, case.number, 20)  # F4 shows the new case (the cursor is on it: Pilot)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    assert (case.state, case.handler, case.reporter_name, case.place) == \
        ("dispatched", "李伟友", "王秀兰", "12-3-402")
    assert case.subcategory == "power_cut" and case.colour == "red"
    kinds = [e.kind for e in CaseEvent.select().where(CaseEvent.case == case.id)
             .order_by(CaseEvent.at)]
    assert kinds == ["received", "responded", "dispatched"]
