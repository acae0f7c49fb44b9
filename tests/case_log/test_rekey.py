"""Key rotation (`python -m bot.caselog rekey`): after it, the new key alone reads every case
and every conversation, on SQLite and PostgreSQL; a token no key can read is left alone and
reported, so the old key is not dropped too early."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from rasa.core.tracker_store import SQLTrackerStore

from actions.case_log.crypto import Cipher
from actions.case_log.store import CaseStore
from bot.caselog import main

from .conftest import TEACHER

NOTE = "Blauwe plek op de bovenarm, maandag gezien."
TYPED = "ik maak me zorgen over een leerling"


@pytest.fixture
def old_and_new(db_url, monkeypatch):
    """A case and two conversation events written with the old key (and one plain event from
    before encryption); the environment then configured as the README says: new key first."""
    old, new = Fernet.generate_key(), Fernet.generate_key()
    store = CaseStore(db_url, cipher=Cipher([old]))
    code = store.open_case(TEACHER, "voorbeeldschool", route_entry=1)
    store.apply(code, TEACHER, [{"op": "entry", "question": "s1_signalen", "kind": "fact", "text": NOTE}])
    store.engine.dispose()
    engine = sa.create_engine(db_url)
    SQLTrackerStore.Base.metadata.create_all(engine, tables=[SQLTrackerStore.SQLEvent.__table__])
    with engine.begin() as conn:
        for data in (Cipher([old]).encrypt(json.dumps({"event": "user", "text": TYPED})),
                     json.dumps({"event": "action", "name": "action_listen"})):
            conn.execute(SQLTrackerStore.SQLEvent.__table__.insert().values(
                sender_id="telegram:900002", type_name="user", timestamp=1.0, data=data))
    monkeypatch.setenv("MELDWIJZER_DB_URL", db_url)
    monkeypatch.setenv("MELDWIJZER_TRACKER_DB_URL", db_url)
    monkeypatch.setenv("MELDWIJZER_CASE_KEY", f"{new.decode()},{old.decode()}")
    yield code, old, new, engine
    engine.dispose()


def events(engine):
    with engine.connect() as conn:
        return [row[0] for row in conn.execute(sa.text("SELECT data FROM events ORDER BY id"))]


def test_after_rekey_the_new_key_alone_reads_cases_and_conversations(old_and_new, capsys):
    code, old, new, engine = old_and_new
    assert main(["rekey"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("3 versleutelde velden opnieuw versleuteld")  # 1 note, 2 events
    only_new = CaseStore(str(engine.url), cipher=Cipher([new]))
    assert [e.text for e in only_new.read_case(code, TEACHER).entries if e.text] == [NOTE]
    only_new.engine.dispose()
    stored = events(engine)
    assert all(not value.lstrip().startswith("{") for value in stored)  # the plain one too
    assert json.loads(Cipher([new]).decrypt(stored[0]))["text"] == TYPED
    assert Cipher([old]).decrypt(stored[0]).startswith("[niet te ontsleutelen")


def test_a_token_no_key_reads_is_left_alone_and_reported(old_and_new, capsys):
    code, old, new, engine = old_and_new
    stranger = Cipher([Fernet.generate_key()]).encrypt(json.dumps({"event": "user", "text": "x"}))
    with engine.begin() as conn:
        conn.execute(SQLTrackerStore.SQLEvent.__table__.insert().values(
            sender_id="telegram:900003", type_name="user", timestamp=2.0, data=stranger))
    assert main(["rekey"]) == 5
    captured = capsys.readouterr()
    assert "1 velden kon geen enkele sleutel lezen" in captured.err
    assert events(engine)[-1] == stranger
