"""The case log's store on SQLite and PostgreSQL: codes, encryption, append-only entries,
who may see a case, follow-ups, retention, and an unreachable database."""
from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from cryptography.fernet import Fernet

from actions.case_log.crypto import Cipher
from actions.case_log.migrate import VERSION_TABLE, current_revision
from actions.case_log.models import AppendOnlyError, Base, Entry
from actions.case_log.store import CaseLogUnavailable, CaseNotVisible, CaseStore, PurgeResult

from .conftest import IB, OTHER_TEACHER, TEACHER

CODE = re.compile(r"^MW-\d{4}-\d{4}$")


def open_with_answers(store: CaseStore) -> str:
    code = store.open_case(TEACHER, "voorbeeldschool", casushouder="de IB'er", route_entry=1)
    store.apply(code, TEACHER, [
        {"op": "entry", "step": 1, "question": "s1_acuut", "answer": "nee"},
        {"op": "entry", "step": 1, "question": "s1_signalen", "kind": "fact",
         "text": "Blauwe plek op de bovenarm, maandag en donderdag gezien."},
        {"op": "entry", "step": 1, "question": "s1_vermoeden", "kind": "hypothesis",
         "text": "Ik vermoed dat het thuis gebeurt."},
        {"op": "position", "position": "s1_derden"},
    ])
    return code


def test_first_use_migrates_and_again_changes_nothing(store):
    store.migrate()
    assert current_revision(store.engine) == "0001"
    CaseStore(store.url, cipher=store.cipher).migrate()  # a second process: no error
    with store.engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
    assert {"cases", "case_entries", "case_decisions", "case_follow_ups",
            "case_notifications", "case_audit", VERSION_TABLE} <= tables
    assert "events" not in tables  # Rasa's tracker tables are not ours


def test_the_migrations_match_the_models(store):
    store.migrate()
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = [d for d in compare_metadata(context, Base.metadata)
                if not (d[0] == "remove_table" and d[1].name == VERSION_TABLE)]
    assert diff == []


def test_codes_count_up_per_year_and_say_nothing_about_the_child(store, clock):
    first = store.open_case(TEACHER, "voorbeeldschool")
    second = store.open_case(OTHER_TEACHER, "voorbeeldschool")
    clock.now = dt.datetime(2027, 1, 4, 8, 0, tzinfo=dt.timezone.utc)
    third = store.open_case(TEACHER, "voorbeeldschool")
    assert (first, second, third) == ("MW-2026-0001", "MW-2026-0002", "MW-2027-0001")


def test_cases_opened_at_the_same_moment_get_different_codes(store):
    codes, errors = [], []

    def open_one(n: int) -> None:
        try:
            codes.append(store.open_case(TEACHER, "voorbeeldschool", route_entry=n))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=open_one, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(codes)) == 8 and all(CODE.match(code) for code in codes)


def test_free_text_is_encrypted_at_rest_and_readable_with_the_key(store, key):
    code = open_with_answers(store)
    with store.engine.connect() as conn:
        stored = " ".join(str(v) for (v,) in conn.execute(sa.text("SELECT text_enc FROM case_entries")))
    assert "Blauwe plek" not in stored and "thuis" not in stored and stored.count("gAAAAA") == 2
    case = store.read_case(code, TEACHER)
    assert [e.text for e in case.entries if e.kind] == [
        "Blauwe plek op de bovenarm, maandag en donderdag gezien.", "Ik vermoed dat het thuis gebeurt."]
    assert [e.kind for e in case.entries] == [None, "fact", "hypothesis"]
    assert case.position == "s1_derden"
    # another key cannot read it, and says so instead of failing
    other = CaseStore(store.url, cipher=Cipher([Fernet.generate_key()]))
    assert other.read_case(code, TEACHER).entries[1].text.startswith("[niet te ontsleutelen")
    # a rotated key: new key first, old key still reads
    rotated = CaseStore(store.url, cipher=Cipher([Fernet.generate_key(), key]))
    assert rotated.read_case(code, TEACHER).entries[1].text.startswith("Blauwe plek")
    other.engine.dispose()
    rotated.engine.dispose()


def test_entries_cannot_be_changed_or_deleted(store):
    code = open_with_answers(store)
    session = sa.orm.Session(store.engine, future=True)
    entry = session.execute(sa.select(Entry)).scalars().first()
    entry.answer = "ja"
    with pytest.raises(AppendOnlyError):
        session.commit()
    session.rollback()
    session.delete(session.execute(sa.select(Entry)).scalars().first())
    with pytest.raises(AppendOnlyError):
        session.commit()
    session.close()
    assert len(store.read_case(code, TEACHER).entries) == 3


def test_a_batch_of_writes_is_all_or_nothing(store):
    code = open_with_answers(store)
    with pytest.raises(ValueError):
        store.apply(code, TEACHER, [{"op": "entry", "question": "s1_derden", "kind": "fact", "text": "x"},
                                    {"op": "entry", "kind": "gossip", "text": "y"}])
    assert len(store.read_case(code, TEACHER).entries) == 3


def test_decisions_keep_the_answers_that_led_to_them(store):
    code = open_with_answers(store)
    answers = {"afweging_1": "ja", "afweging_2": "twijfel"}
    store.apply(code, TEACHER, [{"op": "decision", "decision": "melden", "decided_at": 2,
                                 "with_vt": False, "answers": answers},
                                {"op": "parents", "discussed": "nee", "reason": "Veiligheid van het kind."}])
    case = store.read_case(code, TEACHER)
    assert [(d.decision, d.decided_at, d.answers) for d in case.decisions] == [("melden", 2, answers)]
    assert (case.parents_discussed, case.parents_reason) == ("nee", "Veiligheid van het kind.")


def test_only_the_creator_and_the_ib_see_a_case_and_others_learn_nothing(store):
    code = open_with_answers(store)
    assert store.read_case(code, TEACHER).code == code
    assert store.read_case(code.lower(), IB).code == code  # the IB may, and it is audited
    with pytest.raises(CaseNotVisible) as refused:
        store.read_case(code, OTHER_TEACHER)
    with pytest.raises(CaseNotVisible) as unknown:
        store.read_case("MW-2026-0999", OTHER_TEACHER)
    assert str(refused.value).replace(code, "X") == str(unknown.value).replace("MW-2026-0999", "X")
    with pytest.raises(CaseNotVisible):
        store.apply(code, OTHER_TEACHER, [{"op": "entry", "kind": "fact", "text": "x"}])
    audit = [(a.case_code, a.actor, a.action, a.allowed) for a in store.audit_log()]
    assert audit == [(code, IB.id, "read", True), (code, OTHER_TEACHER.id, "refused", False),
                     ("MW-2026-0999", OTHER_TEACHER.id, "refused", False)]


def test_my_open_cases_and_closing_with_a_conclusion(store, clock):
    mine = open_with_answers(store)
    clock.advance(minutes=5)
    theirs = store.open_case(OTHER_TEACHER, "voorbeeldschool")
    assert [c.code for c in store.open_cases(TEACHER)] == [mine]
    assert [c.code for c in store.open_cases(IB)] == [theirs, mine]
    store.close_case(mine, TEACHER, "Geen vermoeden meer na gesprek met ouders.")
    assert store.open_cases(TEACHER) == []
    case = store.read_case(mine, TEACHER)
    assert case.status == "closed" and case.closed_at == clock.now
    assert case.conclusion == "Geen vermoeden meer na gesprek met ouders."
    assert case.entries[-1].outcome == "case_closed"
    with pytest.raises(CaseNotVisible):
        store.close_case(theirs, TEACHER, "niet van mij")


def test_the_ib_is_told_a_case_was_opened_without_its_content(store):
    code = open_with_answers(store)
    store.open_case(IB, "voorbeeldschool")  # the IB's own case: no notice to themself
    notices = store.pending_notifications()
    assert [(n.case_code, n.channel, n.recipient, n.kind, n.about) for n in notices] == [
        (code, "telegram", "900001", "case_opened", TEACHER.id)]
    store.mark_notification(notices[0].id)
    assert store.pending_notifications() == []


def test_follow_ups_come_due_and_survive_a_restart(store, clock):
    code = open_with_answers(store)
    due = clock.now + dt.timedelta(days=7)
    store.apply(code, TEACHER, [{"op": "follow_up", "kind": "check_help", "due_at": due.isoformat()}])
    assert store.due_follow_ups() == []
    clock.advance(days=8)
    restarted = CaseStore(store.url, cipher=store.cipher, clock=clock)
    [follow_up] = restarted.due_follow_ups()
    assert (follow_up.code, follow_up.kind, follow_up.due_at, follow_up.channel, follow_up.recipient) == (
        code, "check_help", due, "rest", "leerkracht-1")
    restarted.mark_follow_up(follow_up.id, error="channel down")
    assert len(restarted.due_follow_ups()) == 1  # a failed send stays due
    restarted.mark_follow_up(follow_up.id)
    assert restarted.due_follow_ups() == []
    restarted.engine.dispose()


def test_purge_deletes_only_cases_closed_longer_ago_than_the_retention(store, clock):
    old = open_with_answers(store)
    store.apply(old, TEACHER, [{"op": "follow_up", "kind": "check_help",
                                "due_at": clock.now.isoformat()}])
    recent = store.open_case(TEACHER, "voorbeeldschool")
    still_open = store.open_case(TEACHER, "voorbeeldschool")
    store.close_case(old, TEACHER, "Afgesloten.")
    clock.advance(days=365)
    store.close_case(recent, TEACHER, "Afgesloten.")
    store.apply(still_open, TEACHER, [{"op": "position", "position": "s1_derden"}])
    clock.advance(days=366)  # old: closed 731 days ago; recent: 366 days; still_open: touched 366
    assert store.purge_expired(retention_days=730) == PurgeResult(closed=1, open=0)
    with pytest.raises(CaseNotVisible):
        store.read_case(old, TEACHER)
    assert store.read_case(recent, TEACHER).status == "closed"
    assert [c.code for c in store.open_cases(TEACHER)] == [still_open]
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM case_entries")).scalar() == 1  # recent's close
        assert conn.execute(sa.text("SELECT count(*) FROM case_follow_ups")).scalar() == 0
    assert store.purge_expired(retention_days=730) == PurgeResult(closed=0, open=0)


@pytest.mark.parametrize("url", ["postgresql://postgres@127.0.0.1:1/meldwijzer",
                                 "sqlite:////proc/version/caselog.db"])
def test_an_unreachable_database_is_reported_after_retrying(url, key):
    store = CaseStore(url, cipher=Cipher([key]), retry_delays=(0.01, 0.01))
    with pytest.raises(CaseLogUnavailable):
        store.open_case(TEACHER, "voorbeeldschool")
