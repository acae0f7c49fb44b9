"""The retention period on both databases (SQLite and PostgreSQL): the case log loses closed
cases and open cases untouched for the whole period; Rasa's `events` lose idle conversations
and the old sessions of conversations still in use, never what a live conversation loads.
The conversations are written by the real EncryptedSQLTrackerStore, with past timestamps."""
from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator, List

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from actions.case_log.crypto import Cipher
from actions.case_log.store import PURGE_ACTOR, Actor, CaseNotVisible, CaseStore, PurgeResult
from bot.tracker_store import (ConversationPurge, EncryptedSQLTrackerStore, configured_db_url,
                               purge_conversations)
from pg import pg_database

from .conftest import IB, TEACHER

ROOT = Path(__file__).resolve().parents[2]
DAY = 86400.0


@pytest.fixture
def tracker_url(db_url, tmp_path) -> Iterator[str]:
    """The conversations' own database, on the same kind of server as the case log's."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
    else:
        yield from pg_database()


@pytest.fixture
def tracker(tracker_url, key) -> Iterator[EncryptedSQLTrackerStore]:
    store = EncryptedSQLTrackerStore(domain=Domain.empty(), db_url=tracker_url, cipher=Cipher([key]))
    yield store
    store.engine.dispose()


def session(start: float, text: str) -> List[Event]:
    """One conversation session as Rasa stores it, starting at `start` (epoch seconds)."""
    return [ActionExecuted("action_session_start", timestamp=start),
            SessionStarted(timestamp=start + 0.1),
            ActionExecuted("action_listen", timestamp=start + 0.2),
            UserUttered(text, timestamp=start + 1),
            BotUttered("Dank je. Wat heb je gezien?", timestamp=start + 2)]


def talk(store: EncryptedSQLTrackerStore, sender: str, events: List[Event]) -> None:
    asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))


def rows(store: EncryptedSQLTrackerStore, sender: str) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM events WHERE sender_id = :s"),
                            {"s": sender}).scalar()


def loaded(store: EncryptedSQLTrackerStore, sender: str) -> List[dict]:
    """What Rasa loads to continue the conversation."""
    tracker = asyncio.run(store.retrieve(sender))
    return [] if tracker is None else [e.as_dict() for e in tracker.events]


def test_closed_and_idle_open_cases_go_active_and_planned_ones_stay(store, clock):
    closed = store.open_case(TEACHER, "voorbeeldschool")
    store.close_case(closed, TEACHER, "Afgesloten.")
    idle = store.open_case(TEACHER, "voorbeeldschool")  # the IB gets a notice of each case
    store.apply(idle, TEACHER, [{"op": "entry", "question": "s1_signalen", "kind": "fact",
                                 "text": "Blauwe plek op de bovenarm."},
                                {"op": "decision", "decision": "geen_melding", "answers": {}}])
    store.read_case(idle, IB)  # audited; reading is not activity
    followed_long_ago = store.open_case(TEACHER, "voorbeeldschool")
    store.apply(followed_long_ago, TEACHER, [{"op": "follow_up", "kind": "check_help",
                                              "due_at": (clock.now + dt.timedelta(days=14)).isoformat()}])
    active = store.open_case(TEACHER, "voorbeeldschool")
    planned = store.open_case(TEACHER, "voorbeeldschool")
    store.apply(planned, TEACHER, [{"op": "follow_up", "kind": "help_term",
                                    "due_at": (clock.now + dt.timedelta(days=800)).isoformat()}])
    clock.advance(days=400)
    store.apply(active, TEACHER, [{"op": "position", "position": "afweging_2"}])
    clock.advance(days=360)  # the cutoff is 30 days after the start: the first follow-up is before it

    result = store.purge_expired(retention_days=730)
    for gone in (closed, idle, followed_long_ago):
        with pytest.raises(CaseNotVisible):
            store.read_case(gone, TEACHER)
    assert sorted(c.code for c in store.open_cases(TEACHER)) == sorted([active, planned])
    assert result == PurgeResult(closed=1, open=2)
    with store.engine.connect() as conn:
        count = lambda table: conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
        assert count("case_entries") == 0 and count("case_decisions") == 0
        assert count("case_follow_ups") == 1  # planned's
        notified = conn.execute(sa.text("SELECT case_code FROM case_notifications")).scalars().all()
        assert sorted(notified) == sorted([active, planned])
    audit = [(a.case_code, a.actor, a.action) for a in store.audit_log()]
    assert audit[0] == (idle, IB.id, "read")  # the audit outlives the case, without its content
    purged = sorted(row for row in audit if row[2] == "purge")
    assert purged == sorted((c, PURGE_ACTOR, "purge") for c in (closed, idle, followed_long_ago))
    assert store.purge_expired(retention_days=730) == PurgeResult(closed=0, open=0)


def test_idle_conversations_go_and_live_ones_keep_what_rasa_loads(tracker, tracker_url):
    now = time.time()
    talk(tracker, "oud-gesprek", session(now - 800 * DAY, "Blauwe plek op de bovenarm."))
    talk(tracker, "recent-gesprek", session(now - 10 * DAY, "Hij wil niet naar huis."))
    # One conversation for years (a Telegram chat): an old session about a case, a recent one.
    talk(tracker, "900002", session(now - 900 * DAY, "Schrammen op beide handen.")
         + session(now - 5 * DAY, "verder met de casus"))
    # Old and recent events but no session start to tell them apart: all stay.
    talk(tracker, "zonder-sessies", [UserUttered("hallo", timestamp=now - 800 * DAY),
                                      UserUttered("hallo", timestamp=now - DAY)])
    recent_before, live_before = loaded(tracker, "recent-gesprek"), loaded(tracker, "900002")
    cutoff = dt.datetime.fromtimestamp(now, dt.timezone.utc) - dt.timedelta(days=730)

    assert purge_conversations(tracker_url, cutoff) == ConversationPurge(conversations=1, trimmed=1, events=10)
    assert rows(tracker, "oud-gesprek") == 0
    assert rows(tracker, "recent-gesprek") == 5 and loaded(tracker, "recent-gesprek") == recent_before
    assert rows(tracker, "900002") == 5 and loaded(tracker, "900002") == live_before
    assert rows(tracker, "zonder-sessies") == 2
    assert purge_conversations(tracker_url, cutoff) == ConversationPurge(0, 0, 0)


def test_a_tracker_database_that_does_not_exist_yet_is_nothing_to_do(tmp_path, db_url):
    cutoff = dt.datetime.now(dt.timezone.utc)
    missing = tmp_path / "nog-niet" / "tracker.db"
    assert purge_conversations(f"sqlite:///{missing}", cutoff) == ConversationPurge(0, 0, 0)
    assert not missing.parent.exists()  # not created either
    assert purge_conversations(db_url, cutoff) == ConversationPurge(0, 0, 0)  # no `events` table


def purge_cli(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.caselog", "purge"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_cli_purges_both_databases_and_says_what_went(db_url, tracker, tracker_url, key):
    now = time.time()
    past = lambda days: dt.datetime.fromtimestamp(now - days * DAY, dt.timezone.utc)
    store = CaseStore(db_url, cipher=Cipher([key]), clock=lambda: past(800))
    closed = store.open_case(TEACHER, "voorbeeldschool")
    store.close_case(closed, TEACHER, "Afgesloten.")
    bare, prefixed = Actor("rest", "leerkracht-8"), Actor("rest", "leerkracht-9")
    for idle in (bare, prefixed):
        store.open_case(idle, "voorbeeldschool")
    store.clock = lambda: past(3)
    kept = store.open_case(TEACHER, "voorbeeldschool")
    store.engine.dispose()
    # The idle cases' conversations, by the sender id of today (bare user) and of channel:user.
    talk(tracker, bare.user, session(now - 800 * DAY, "Blauwe plek op de bovenarm."))
    talk(tracker, prefixed.id, session(now - 801 * DAY, "Schrammen op beide handen."))
    talk(tracker, TEACHER.user, session(now - 3 * DAY, "Hij wil niet naar huis."))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MELDWIJZER_DB_URL": db_url,
           "MELDWIJZER_TRACKER_DB_URL": tracker_url, "MELDWIJZER_SCHOOL": ""}

    done = purge_cli(env)
    assert done.returncode == 0, done.stderr
    assert rows(tracker, bare.user) == rows(tracker, prefixed.id) == 0
    assert rows(tracker, TEACHER.user) == 5
    store = CaseStore(db_url)
    assert store.open_cases(bare) == store.open_cases(prefixed) == []
    assert [c.code for c in store.open_cases(TEACHER)] == [kept]
    store.engine.dispose()
    assert "Bewaartermijn: 730 dagen." in done.stdout
    assert "Afgesloten casussen verwijderd: 1 " in done.stdout
    assert "Open casussen verwijderd: 2 " in done.stdout
    assert "Gesprekken verwijderd: 2 " in done.stdout
    assert "Gespreksregels (events) verwijderd: 10." in done.stdout

    # The conversations' database unreachable: said, exit code 3, the case log still purged.
    again = purge_cli({**env, "MELDWIJZER_TRACKER_DB_URL": "postgresql://postgres@127.0.0.1:1/meldwijzer"})
    assert again.returncode == 3
    assert "Afgesloten casussen verwijderd: 0 " in again.stdout
    assert "gesprekken-database is niet bereikbaar" in again.stderr
    assert "Gesprekken verwijderd" not in again.stdout


def test_the_purge_finds_the_conversations_where_the_rasa_server_does(tmp_path, monkeypatch):
    monkeypatch.setenv("MELDWIJZER_TRACKER_DB_URL", "sqlite:////uit/de/omgeving.db")
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("tracker_store:\n  type: bot.tracker_store.EncryptedSQLTrackerStore\n"
                         "  db_url: ${GESPREKKEN_URL}\n")
    monkeypatch.setenv("GESPREKKEN_URL", "postgresql://meldwijzer@db/gesprekken")
    assert configured_db_url(endpoints) == "postgresql://meldwijzer@db/gesprekken"
    endpoints.write_text("tracker_store:\n  type: bot.tracker_store.EncryptedSQLTrackerStore\n")
    assert configured_db_url(endpoints) == "sqlite:////uit/de/omgeving.db"
    assert configured_db_url(ROOT / "endpoints.yml") == "sqlite:////uit/de/omgeving.db"  # the project's
