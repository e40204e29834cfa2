"""Mulin in a real terminal: tmux at 80x24, keys sent, the screen read back."""

from __future__ import annotations

import shlex
import subprocess
import sys
import time
import uuid
from pathlib import Path

from tests.tmux_support import ROOT, needs_tmux, wait_for

pytestmark = needs_tmux



def test_demo_station_in_tmux(tmp_path: Path) -> None:
    session = f"mulin-test-{uuid.uuid4().hex[:8]}"
    marker = tmp_path / "exited"
    command = (f"cd {shlex.quote(str(ROOT))} && MULIN_NOW=2026-11-25T10:00:00+08:00 "
               f"{shlex.quote(sys.executable)} -m app --data-dir {shlex.quote(str(tmp_path))} "
               f"--demo; echo $? > {shlex.quote(str(marker))}; sleep 5")
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "24",
                    command], check=True)
    try:
        wait_for(session, "请登录")  # the demo has operators: 管理员 (first) signs in, PIN 0000
        subprocess.run(["tmux", "send-keys", "-t", session, "0", "0", "0", "0", "Enter"],
                       check=True)
        wait_for(session, "网格地图")
        screen = wait_for(session, "F1 帮助")  # the footer's app rows follow the screen's own row
        assert "东亭社区" in screen
        subprocess.run(["tmux", "send-keys", "-t", session, "F4"], check=True)
        wait_for(session, "诉求案件")
        subprocess.run(["tmux", "send-keys", "-t", session, "q"], check=True)
        wait_for(session, "确定退出")
        subprocess.run(["tmux", "send-keys", "-t", session, "y"], check=True)
        deadline = time.monotonic() + 20
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert marker.read_text().strip() == "0"
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
