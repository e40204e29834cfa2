"""Exports that hold personal data are encrypted unless --plain, which warns with the
number of residents exposed; ``mulin decrypt`` opens them; the TUI's import backs up."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import store
from app.cli import main
from app.config import Paths
from app.services.cases import handover, metrics
from app.services.mediation import agreement_doc
from app.services.trust import sealed
from models.mediation import Mediation, MediationParty
from models.places import Resident


def _named_residents(text: str) -> list[str]:
    names = {r.name for r in Resident.select(Resident.name) if len(r.name) >= 2}
    return [n for n in names if n in text]


def _agreement() -> Mediation:
    return Mediation.get((Mediation.community == store.context().community_id)
                         & (Mediation.title == "13栋空调外机安放纠纷"))


def _no_name_in(path: Path, names: list[str]) -> None:
    raw = path.read_bytes()
    assert raw.startswith(sealed.MAGIC)
    assert not [n for n in names if n.encode("utf-8") in raw]


def test_every_export_path_is_sealed_and_decrypts(hubin: Paths, tmp_path: Path) -> None:
    community = store.context().community_id
    sheet = handover.build(community)
    names = _named_residents(handover.as_text(sheet))
    assert names, "the handover names reporters"
    written = handover.write(sheet, tmp_path)
    assert written.encrypted and written.path.suffix == ".enc"
    _no_name_in(written.path, names)
    opened = sealed.decrypt_file(written.path, tmp_path / "open.md")
    assert opened.read_text(encoding="utf-8") == handover.as_text(sheet)

    m = _agreement()
    parties = [p.name for p in MediationParty.select().where(MediationParty.mediation == m.id)]
    for fmt in ("md", "pdf"):
        w = agreement_doc.write(m.id, fmt, tmp_path / f"a.{fmt}")
        assert w.path == tmp_path / f"a.{fmt}.enc" and not (tmp_path / f"a.{fmt}").exists()
        _no_name_in(w.path, parties)
        assert sealed.unseal(w.path.read_bytes())[0] == f"a.{fmt}"
    period = metrics.month("2026-11")
    for fmt in ("csv", "xlsx"):
        w = metrics.export_report(community, period, fmt, tmp_path / f"r.{fmt}")
        assert w.encrypted and w.path.read_bytes().startswith(sealed.MAGIC)


def test_a_wrong_key_or_an_altered_file_is_refused(hubin: Paths, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    w = agreement_doc.write(_agreement().id, "md", tmp_path / "a.md")
    raw = bytearray(w.path.read_bytes())
    raw[-5] ^= 1
    with pytest.raises(sealed.SealedError):
        sealed.unseal(bytes(raw))
    monkeypatch.setenv(sealed.ENV_PASSPHRASE, "a passphrase for the street")
    p = agreement_doc.write(_agreement().id, "md", tmp_path / "b.md")
    monkeypatch.delenv(sealed.ENV_PASSPHRASE)
    with pytest.raises(sealed.SealedError):
        sealed.unseal(p.path.read_bytes())
    assert sealed.unseal(p.path.read_bytes(), "a passphrase for the street")[0] == "b.md"


def test_cli_seals_by_default_plain_warns_and_decrypt_opens(
        hubin: Paths, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    m = _agreement()
    parties = [p.name for p in MediationParty.select().where(MediationParty.mediation == m.id)]
    data = ["--data-dir", str(hubin.data_dir)]
    out = tmp_path / "doc.md"
    assert main([*data, "mediation", "export", m.number, "--out", str(out)]) == 0
    assert "mulin decrypt" in capsys.readouterr().out
    sealed_file = tmp_path / "doc.md.enc"
    _no_name_in(sealed_file, parties)
    assert not out.exists()
    assert main([*data, "decrypt", str(sealed_file), "--out", str(tmp_path / "x.md")]) == 0
    assert all(n in (tmp_path / "x.md").read_text(encoding="utf-8") for n in parties)
    assert main([*data, "mediation", "export", m.number, "--out", str(out), "--plain"]) == 0
    warning = capsys.readouterr().err
    assert f"含 {len(set(parties))} 位居民" in warning
    assert parties[0] in out.read_text(encoding="utf-8")


async def test_the_tui_import_can_be_taken_back_like_the_cli(tmp_path: Path) -> None:
    """The TUI's import protects the station as the CLI's does (issue 16: a rollback
    record of the import, not a whole copy): ``mulin undo-import`` takes it back."""
    from app.services.station import stats
    from app.services.sync import undo
    from app.tui import MulinApp
    from screens.sync.exchange import SyncScreen
    from tests.sync_support import Net, seed_content

    net = Net(tmp_path)
    net.add("desk", "DK")
    seed_content()
    bundle = net.export("desk", tmp_path / "seed.mulin", full=True)
    lap = net.add("lap", "LA")
    before = stats.digest()
    app = MulinApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("i", *str(bundle), "enter")  # the path typed, as a person would
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, SyncScreen)
    assert Resident.select().count() == 4  # the import went through
    assert not list(lap.backups.glob("*-import-*.sqlite3"))  # no copy of the station
    undo.undo_last()
    assert stats.digest() == before and Resident.select().count() == 0


def test_a_passphrase_sealed_export_opens_without_a_station(
        hubin: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(sealed.ENV_PASSPHRASE, "a passphrase for the street")
    w = agreement_doc.write(_agreement().id, "md", tmp_path / "a.md")
    street = tmp_path / "street-office"
    out = tmp_path / "opened.md"
    assert main(["--data-dir", str(street), "decrypt", str(w.path), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("# 人民调解协议书")
    assert not street.exists()


def test_contacts_in_an_agreement_follow_the_role(hubin: Paths) -> None:
    from app.services.trust import operators
    from tests.trust_support import add_staff

    m = _agreement()
    raw = [p.contact for p in MediationParty.select().where(MediationParty.mediation == m.id)
           if p.contact]
    assert raw
    full = agreement_doc.to_markdown(agreement_doc.build(m.id, include_contact=True))
    assert raw[0] in full  # a station without operators acts as admin
    ids = add_staff("duty")
    operators.sign_in_as(ids["duty"])
    try:
        text = agreement_doc.to_markdown(agreement_doc.build(m.id, include_contact=True))
    finally:
        operators.sign_out()
    assert raw[0] not in text and raw[0][:3] + "****" + raw[0][-4:] in text
