"""What a desk's start runs before its first frame is only what that frame needs (issue 16):
no command parsers, no pydantic, no search services; commands and ``--help`` still get
every parser, and a settings file is still validated."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

from app import cli, config
from app.config import Paths

ROOT = Path(__file__).resolve().parent.parent

#: Modules a desk's first frame (the sign-in) does not need: the station is opened after it.
NOT_BEFORE_FIRST_FRAME = ("peewee", "models.places", "models.schema", "app.store", "pydantic",
                          "app.cli.sync", "app.cli.hub", "app.services.hub.client",
                          "screens.search.find", "app.services.search.lookup", "tomllib",
                          "app.services.cases.deadlines", "screens.places.map")

_DESK_START = """
import os, sys
os.environ["MULIN_EXIT_AFTER_FIRST_FRAME"] = "1"
data_dir, watched = sys.argv[1], sys.argv[2:]
import app.tui
seen = {}

def drawn(exit_app):
    seen["first"] = [m for m in watched if m in sys.modules]
    exit_app()

app.tui.first_frame_drawn = drawn
from app.cli import tui
tui.DailyBackup = None  # no daily copy in this test
from app import cli
given = ["--data-dir", data_dir]
env = cli.Env.from_args(cli.build_parser(cli.modules_for(given)).parse_args(given))
roster = tui.peek(env.paths.database)
from functools import partial
opening = app.tui.Opening(roster, partial(tui._open_station, env))
after = []
desk = app.tui.SignInFirstApp(env.settings, opening, lambda: after.append(1))
desk.run(headless=True, size=(80, 24))
print(",".join(seen["first"]) or "-", desk.open_failure, "models.places" in sys.modules,
      after == [1])
"""


def test_a_desk_start_draws_its_sign_in_before_opening_the_station(hubin: Paths) -> None:
    from tests.trust_support import add_staff

    add_staff("duty")
    run = subprocess.run([sys.executable, "-c", _DESK_START, str(hubin.data_dir),
                          *NOT_BEFORE_FIRST_FRAME], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    before, failure, opened_after, daily_started = run.stdout.split()
    assert before == "-", f"imported before the first frame: {before}"
    assert (failure, opened_after) == ("None", "True")  # the station opened just after
    assert daily_started == "True"  # what waits for the first frame (the daily backup) ran


@pytest.mark.parametrize(("argv", "modules"), [
    ([], ()), (["--data-dir", "d", "--lang", "en"], ()), (["--demo"], ()),
    (["--operator", "管理员", "--data-dir", "d"], ()), (["backup"], ("trust",)),
    (["--data-dir", "d", "check"], ("trust",)), (["import", "--help"], ("sync",)),
    (["--operator", "值班员", "import", "x"], ("sync",)), (["hub", "serve"], ("hub",)),
    (["--help"], cli.ALL), (["-h"], cli.ALL), (["no-such-command"], cli.ALL),
])
def test_a_command_builds_only_its_own_parsers(argv: list[str], modules: object) -> None:
    assert cli.modules_for(argv) == modules


def test_the_command_table_names_every_command_where_it_is_registered() -> None:
    """``COMMAND_MODULES`` (what ``mulin COMMAND`` imports) against each module's own
    ``register``: a new command missing from the table would not be found."""
    import argparse

    found = {}
    for name in cli._all_modules():
        parser = cli.build_parser((name,))
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                found.update(dict.fromkeys(action.choices, name))
    assert found == cli.COMMAND_MODULES


_IMPORT_START = """
import sys
from app import cli
cli.build_parser(cli.modules_for(["import", "x.mulin"]))
print(",".join(m for m in sys.argv[1:] if m in sys.modules) or "-")
"""


def test_a_days_import_leaves_out_the_other_commands_modules() -> None:
    others = ("app.cli.hub", "app.cli.core", "app.cli.civic", "app.services.hub.client",
              "app.cli.sync_remote")
    run = subprocess.run([sys.executable, "-c", _IMPORT_START, *others], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "-", f"imported for `mulin import`: {run.stdout}"


def test_help_still_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main(["--help"])
    assert done.value.code == 0
    shown = capsys.readouterr().out
    for command in ("backup", "check", "demo", "export", "import", "operator", "report"):
        assert command in shown


def test_an_unknown_command_is_still_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main(["--data-dir", "d", "no-such-command"])
    assert done.value.code == 2
    assert "no-such-command" in capsys.readouterr().err


def test_a_settings_file_is_still_validated(tmp_path: Path) -> None:
    paths = Paths(tmp_path)
    paths.settings.write_text('lock_minutes = 0\n', encoding="utf-8")
    with pytest.raises(config.SettingsError):
        config.load_settings(paths)
    paths.settings.write_text('lang = "en"\nlock_minutes = "7"\n[keymap]\nnav.back = "x"\n',
                              encoding="utf-8")
    settings = config.load_settings(paths)
    assert (settings.lang, settings.lock_minutes) == ("en", 7)
    assert settings.keymap == {"nav.back": "x"}


def test_the_settings_file_model_has_every_setting() -> None:
    model = config._file_model()
    assert set(model.model_fields) == {f.name for f in fields(config.LocalSettings)}
    assert model().model_dump() == vars(config.LocalSettings())
