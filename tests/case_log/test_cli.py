"""`python -m bot.caselog`: the IB's export, the purge, and the key, on both databases."""
from __future__ import annotations

import datetime as dt

import pytest

from actions.case_log.dialogue import get_store
from bot.caselog import main

from .conftest import IB, OTHER_TEACHER, TEACHER


@pytest.fixture
def cli_store(db_url, monkeypatch):
    monkeypatch.setenv("MELDWIJZER_DB_URL", db_url)
    monkeypatch.setenv("MELDWIJZER_REVIEWERS", IB.id)
    store = get_store()
    yield store
    store.engine.dispose()


def test_the_ib_exports_a_case_and_the_read_is_audited(cli_store, capsys):
    code = cli_store.open_case(TEACHER, "voorbeeldschool")
    cli_store.apply(code, TEACHER, [{"op": "entry", "question": "s1_signalen", "kind": "fact",
                                     "text": "Schrammen op beide handen."}])
    assert main(["export", code, "--as", IB.id]) == 0
    out = capsys.readouterr().out
    assert f"casus {code}" in out and "Schrammen op beide handen." in out
    assert [(a.actor, a.action) for a in cli_store.audit_log(code)] == [(IB.id, "export")]


def test_someone_else_is_refused_without_learning_whether_it_exists(cli_store, capsys):
    code = cli_store.open_case(TEACHER, "voorbeeldschool")
    assert main(["export", code, "--as", OTHER_TEACHER.id]) == 2
    refused = capsys.readouterr().err
    assert main(["export", "MW-2026-0999", "--as", OTHER_TEACHER.id]) == 2
    unknown = capsys.readouterr().err
    assert refused.replace(code, "X") == unknown.replace("MW-2026-0999", "X")


def test_list_shows_open_cases(cli_store, capsys):
    code = cli_store.open_case(TEACHER, "voorbeeldschool")
    assert main(["list", "--as", TEACHER.id]) == 0
    out = capsys.readouterr().out
    assert code in out and "1 open casus(sen)." in out


def test_purge_reports_how_many_were_deleted(cli_store, capsys):
    real_clock = cli_store.clock
    cli_store.clock = lambda: real_clock() - dt.timedelta(days=800)  # closed 800 days ago
    old = cli_store.open_case(TEACHER, "voorbeeldschool")
    cli_store.close_case(old, TEACHER, "Afgerond.")
    cli_store.clock = real_clock
    recent = cli_store.open_case(TEACHER, "voorbeeldschool")
    cli_store.close_case(recent, TEACHER, "Afgerond.")
    assert main(["purge", "--days", "730"]) == 0
    assert "Afgesloten casussen verwijderd: 1 " in capsys.readouterr().out
    assert main(["purge"]) == 0  # the profile's period (730 days): nothing left to delete
    assert "Afgesloten casussen verwijderd: 0 " in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["purge", "--days", "0"])  # would delete everything


def test_purge_without_a_readable_profile_deletes_nothing(cli_store, capsys, tmp_path, monkeypatch):
    real_clock = cli_store.clock
    cli_store.clock = lambda: real_clock() - dt.timedelta(days=800)
    old = cli_store.open_case(TEACHER, "voorbeeldschool")
    cli_store.close_case(old, TEACHER, "Afgerond.")
    broken = tmp_path / "school.yml"
    broken.write_text("case_log: {bewaartermijn_dagen: 3650}\n")  # the school keeps ten years
    monkeypatch.setenv("MELDWIJZER_SCHOOL", str(broken))
    assert main(["purge"]) == 5  # not the default two years instead
    assert "bewaartermijn is onbekend" in capsys.readouterr().err
    assert cli_store.read_case(old, TEACHER).status == "closed"


def test_an_unreachable_database_is_said_plainly(monkeypatch, capsys):
    monkeypatch.setenv("MELDWIJZER_DB_URL", "postgresql://postgres@127.0.0.1:1/meldwijzer")
    assert main(["list", "--as", TEACHER.id]) == 3
    assert "niet bereikbaar" in capsys.readouterr().err


def test_the_key_is_made_once(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("MELDWIJZER_CASE_KEY", raising=False)
    monkeypatch.setenv("MELDWIJZER_CASE_KEY_FILE", str(tmp_path / "case.key"))
    assert main(["key"]) == 0
    assert "Nieuwe sleutel" in capsys.readouterr().out
    assert (tmp_path / "case.key").stat().st_mode & 0o777 == 0o600
    first = (tmp_path / "case.key").read_text()
    assert main(["key"]) == 0
    assert capsys.readouterr().out == "" and (tmp_path / "case.key").read_text() == first
