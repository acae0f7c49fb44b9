"""Follow-ups and IB notices come back by themselves: pushed to Telegram through the Bot API
(a fake one here), kept due when sending fails, and shown to a terminal user at chat start.
On SQLite and PostgreSQL; every check uses a new store, as after a restart."""
from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from actions.case_log.store import Actor, CaseStore
from bot.followups import deliver_due, show_for, telegram_sender

from fake_telegram import FakeTelegram

from .conftest import IB

TELEGRAM_TEACHER = Actor("telegram", "700001")
TERMINAL = Actor("cmdline", "terminal-abc123")


def sent(api: FakeTelegram):
    """(chat id, text) of every message the fake Bot API received."""
    return [(str(m["chat_id"]), m["text"]) for m in api.messages()]


@pytest.fixture
def bot_api():
    api = FakeTelegram()
    yield api
    api.close()


def restarted(store: CaseStore) -> CaseStore:
    return CaseStore(store.url, cipher=store.cipher, clock=store.clock, reviewers=store.reviewers)


def test_a_due_follow_up_is_pushed_to_telegram_once(store, clock, bot_api):
    code = store.open_case(TELEGRAM_TEACHER, "voorbeeldschool")
    store.apply(code, TELEGRAM_TEACHER, [
        {"op": "entry", "kind": "fact", "text": "Geheime inhoud van de casus."},
        {"op": "follow_up", "kind": "check_help", "due_at": (clock.now + dt.timedelta(days=7)).isoformat()}])
    senders = {"telegram": telegram_sender("123:ABC", bot_api.base_url)}
    store.mark_notification(store.pending_notifications()[0].id)  # the IB notice: not this test
    assert asyncio.run(deliver_due(store, senders))["sent"] == 0  # not due yet
    clock.advance(days=7, minutes=1)
    assert asyncio.run(deliver_due(restarted(store), senders)) == {"sent": 1, "failed": 0, "waiting": 0}
    [(chat_id, text)] = sent(bot_api)
    assert chat_id == "700001" and code in text and "hulp heeft gezocht" in text
    assert "Geheime inhoud" not in text
    assert asyncio.run(deliver_due(restarted(store), senders))["sent"] == 0  # never twice


def test_a_failed_send_stays_due_and_goes_out_later(store, clock, bot_api):
    code = store.open_case(TELEGRAM_TEACHER, "voorbeeldschool")
    store.apply(code, TELEGRAM_TEACHER, [{"op": "follow_up", "kind": "vt_response",
                                          "due_at": clock.now.isoformat()}])
    senders = {"telegram": telegram_sender("123:ABC", bot_api.base_url)}
    bot_api.failing = True
    counts = asyncio.run(deliver_due(store, senders))
    assert counts["failed"] == 2 and sent(bot_api) == []  # the follow-up and the IB notice
    bot_api.failing = False
    assert asyncio.run(deliver_due(restarted(store), senders))["sent"] == 2
    assert {chat for chat, _ in sent(bot_api)} == {"700001", IB.user}
    assert any("0800-2000" in text for _, text in sent(bot_api))


def test_the_ib_hears_that_a_case_was_opened_and_by_whom_without_content(store, clock, bot_api):
    code = store.open_case(TELEGRAM_TEACHER, "voorbeeldschool")
    store.apply(code, TELEGRAM_TEACHER, [{"op": "entry", "kind": "fact", "text": "Geheime inhoud."}])
    senders = {"telegram": telegram_sender("123:ABC", bot_api.base_url)}
    asyncio.run(deliver_due(store, senders))
    [(chat_id, text)] = sent(bot_api)
    assert chat_id == IB.user and code in text and TELEGRAM_TEACHER.id in text
    assert "Geheime" not in text
    # On Telegram the IB is sent to where an export is allowed, not to 'exporteer' there.
    assert "exporteer" not in text and "webchat" in text


def test_a_terminal_user_sees_due_reminders_when_the_chat_starts(store, clock, capsys):
    code = store.open_case(TERMINAL, "voorbeeldschool")
    store.apply(code, TERMINAL, [{"op": "follow_up", "kind": "check_help",
                                  "due_at": clock.now.isoformat()}])
    counts = asyncio.run(deliver_due(store, {}))
    assert counts == {"sent": 0, "failed": 0, "waiting": 2}  # no push for the terminal (nor the IB here)
    assert show_for(restarted(store), TERMINAL) == 1
    assert f"Herinnering casus {code}" in capsys.readouterr().out
    assert show_for(restarted(store), TERMINAL) == 0
