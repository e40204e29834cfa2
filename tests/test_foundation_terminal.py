"""Mulin in a real terminal: tmux at 80x24, keys sent, the screen read back."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("tmux") is None,
                                reason="tmux is not installed: the real-terminal test needs it")


def _capture(session: str) -> str:
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True,
                          text=True).stdout


def _wait_for(session: str, text: str, seconds: float = 120) -> str:
    deadline = time.monotonic() + seconds
    screen = ""
    while time.monotonic() < deadline:
        screen = _capture(session)
        if text in screen:
            return screen
        time.sleep(0.3)
    raise AssertionError(f"{text!r} never appeared; screen was:\n{screen}")


def test_demo_station_in_tmux(tmp_path: Path) -> None:
    session = f"mulin-test-{uuid.uuid4().hex[:8]}"
    marker = tmp_path / "exited"
    command = (f"cd {shlex.quote(str(ROOT))} && MULIN_NOW=2026-11-25T10:00:00+08:00 "
               f"{shlex.quote(sys.executable)} -m app --data-dir {shlex.quote(str(tmp_path))} "
               f"--demo; echo $? > {shlex.quote(str(marker))}; sleep 5")
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "24",
                    command], check=True)
    try:
        _wait_for(session, "请登录")  # the demo has operators: 管理员 (first) signs in, PIN 0000
        subprocess.run(["tmux", "send-keys", "-t", session, "0", "0", "0", "0", "Enter"],
                       check=True)
        screen = _wait_for(session, "网格地图")
        assert "东亭社区" in screen and "F1" in screen.upper()
        subprocess.run(["tmux", "send-keys", "-t", session, "F4"], check=True)
        _wait_for(session, "诉求案件")
        subprocess.run(["tmux", "send-keys", "-t", session, "q"], check=True)
        _wait_for(session, "确定退出")
        subprocess.run(["tmux", "send-keys", "-t", session, "y"], check=True)
        deadline = time.monotonic() + 20
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert marker.read_text().strip() == "0"
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
