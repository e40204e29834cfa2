"""Issue 18: saving while another process holds the write lock (an import, a sync).

The desk waits with "等待导入完成…", saves when the lock is released, never exits;
Esc stops waiting and keeps what was typed. The CLI waits and says so.
"""

from __future__ import annotations

import subprocess
from typing import Any

from app.config import Paths
from models.cases import Case
from models.visits import Visit
from tests.fault_support import hold_write_lock, wait_for


def _notes(app: Any) -> list[str]:
    return [str(n.message) for n in app._notifications]


def _text(screen: Any) -> str:
    return " ".join(str(w.render()) for w in screen.query("Static"))


async def test_a_case_typed_during_a_ten_second_import_is_saved_after_it(hubin: Paths) -> None:
    from app.tui import MulinApp
    from screens.busy import WaitDialog
    from screens.cases.board import CasesScreen

    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        before = Case.select().count()
        await pilot.press("f9")
        await pilot.pause()
        await pilot.press(*"匿名", "tab", "tab", *"5栋", "tab", *"110", "enter", *"停电")
        holder = hold_write_lock(hubin.database, 10)
        try:
            await pilot.press("ctrl+s")
            assert await wait_for(pilot, lambda: isinstance(app.screen, WaitDialog), 3)
            assert "等待导入完成" in _text(app.screen)
            assert Case.select().count() == before  # not yet: the import holds the lock
            assert await wait_for(pilot, lambda: Case.select().count() == before + 1, 20)
        finally:
            holder.wait(timeout=20)
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, CasesScreen)
        new = Case.select().order_by(Case.received_at.desc(), Case.number.desc()).first()
        assert new.description == "停电"
        assert any(new.number in n for n in _notes(app))


async def test_a_visit_waits_and_esc_keeps_what_was_typed(hubin: Paths) -> None:
    from app.tui import MulinApp
    from screens.busy import WaitDialog

    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        before = Visit.select().count()
        await pilot.press("v")
        await pilot.pause()
        form = app.screen
        await pilot.press(*"水管漏")
        holder = hold_write_lock(hubin.database, 6)
        try:
            await pilot.press("ctrl+s")
            assert await wait_for(pilot, lambda: isinstance(app.screen, WaitDialog), 3)
            await pilot.press("escape")  # stop waiting: nothing saved, the form as typed
            assert await wait_for(pilot, lambda: app.screen is form and any(
                "已停止等待" in n for n in _notes(app)), 3)
            assert Visit.select().count() == before
            assert form.query_one("#f-findings").value == "水管漏"
            await pilot.press("ctrl+s")  # and again: this time wait until it is saved
            assert await wait_for(pilot, lambda: isinstance(app.screen, WaitDialog), 3)
            assert await wait_for(pilot, lambda: Visit.select().count() == before + 1, 10)
        finally:
            holder.wait(timeout=10)
        await pilot.pause()
        assert app.is_running and app.screen is not form
        assert Visit.select().where(Visit.findings == "水管漏").count() == 1


def _mulin(data: Any, *args: str) -> subprocess.CompletedProcess[str]:
    from tests.test_sync_cli import mulin

    return mulin(data, *args)


def test_a_second_import_waits_for_the_first_and_then_applies(tmp_path: Any) -> None:
    from models.db import db
    from tests.sync_support import Net, seed_content

    net = Net(tmp_path)
    net.add("desk", "DT")
    seed_content()
    bundle = net.export("desk", tmp_path / "desk.mulin", full=True)
    lap = net.add("lap", "LA")
    db.close()
    holder = hold_write_lock(lap.database, 3)  # the first import, still running
    try:
        done = _mulin(lap.data_dir, "import", str(bundle))
    finally:
        holder.wait(timeout=10)
    assert done.returncode == 0, done.stderr
    assert "等待导入完成" in done.stderr and "Traceback" not in done.stderr
    assert "新增" in done.stdout


async def test_the_desk_stays_open_when_a_save_without_a_wait_meets_the_lock(
        hubin: Paths) -> None:
    """Any action that meets a busy database gets a notice; the app keeps running."""
    from app import store
    from app.tui import MulinApp

    def writes() -> None:
        with store.write() as tx:
            tx.insert(Case)  # never reached: the lock is held

    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.action_busy_probe = writes  # type: ignore[attr-defined]
        holder = hold_write_lock(hubin.database, 2)
        try:
            await app.run_action("busy_probe")
            assert await wait_for(pilot, lambda: any(
                "数据库正被另一个程序写入" in n for n in _notes(app)), 3)
        finally:
            holder.wait(timeout=10)
        assert app.is_running


async def test_a_case_action_and_a_mediation_wait_for_an_import(hubin: Paths) -> None:
    """Beyond the intake (issue 18): an action's note and a mediation form both wait."""
    from app import store
    from app.services.cases import lifecycle
    from app.tui import MulinApp
    from models.cases import CaseEvent
    from models.mediation import Mediation
    from screens.busy import WaitDialog
    from screens.cases.actions import ACTION_KEYS, DIRECT
    from screens.mediation.detail import MediationDetailScreen
    from screens.mediation.forms import MedForm
    from tests.test_mediation_keys import choose

    community = store.context().community_id
    app = MulinApp()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        case_id = app.screen.current_case_id()
        kind = next(k for k in ("escalated", "returned", "cancelled")
                    if k not in DIRECT and not lifecycle.refusal(lifecycle.current(case_id), k))
        await pilot.press(ACTION_KEYS[kind])
        await pilot.pause()
        form = app.screen
        await pilot.press(*"居民来电催促")
        holder = hold_write_lock(hubin.database, 3)
        try:
            await pilot.press("ctrl+s")
            assert await wait_for(pilot, lambda: isinstance(app.screen, WaitDialog), 2)
            assert not CaseEvent.select().where(CaseEvent.note == "居民来电催促").exists()
            assert await wait_for(pilot, lambda: app.screen is not form
                                  and not isinstance(app.screen, WaitDialog), 10)
        finally:
            holder.wait(timeout=10)
        event = CaseEvent.get(CaseEvent.note == "居民来电催促")
        assert (event.case_id, event.kind) == (case_id, kind)

        case = (Case.select().where((Case.community == community)
                                    & (Case.state == "in_progress"))
                .order_by(Case.number.desc()).first())
        day, serial = case.number.split("-")[1:]
        await pilot.press("f5", "c")
        await pilot.pause()
        await pilot.press(*day, "minus", *serial, "enter", *choose(1))
        await pilot.pause()
        assert isinstance(app.screen, MedForm)
        holder = hold_write_lock(hubin.database, 3)
        try:
            await pilot.press("ctrl+s")
            assert await wait_for(pilot, lambda: isinstance(app.screen, WaitDialog), 2)
            assert not Mediation.select().where(Mediation.case == case.id).exists()
            assert await wait_for(pilot, lambda: isinstance(app.screen,
                                                            MediationDetailScreen), 10)
        finally:
            holder.wait(timeout=10)
        assert Mediation.select().where(Mediation.case == case.id).exists()
        assert app.is_running
