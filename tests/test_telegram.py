"""Whole Telegram conversations: the real python-telegram-bot Application (polling) against a
fake Bot API on 127.0.0.1 and the real Rasa server with the trained model and action server."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, Iterator

import pytest
import requests
import yaml

from actions.case_log.dialogue import get_store
from actions.case_log.store import Actor
from bot.channels import RELAY_HEADER
from bot.telegram_bot import CALLBACK_LIMIT, EMERGENCY, keyboard, split_text

from conftest import REST_AUTH, free_port, rest_id
from fake_telegram import FakeTelegram, RunningBot, buttons_of

TEACHER = 700101  # fictitious Telegram user ids
IB_USER = 700102
STRANGER = 700999


@pytest.fixture(scope="module")
def staff_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("telegram") / "staff.yml"
    path.write_text(yaml.safe_dump({"staff": [
        {"telegram_id": TEACHER, "school": "voorbeeldschool", "role": "leerkracht", "display_name": "Leerkracht groep 5"},
        {"telegram_id": IB_USER, "school": "voorbeeldschool", "role": "ib", "display_name": "IB'er"},
    ]}))
    return path


def bot_env(fake: FakeTelegram, rasa_url: str, staff_file: Path) -> Dict[str, str]:
    return {"TELEGRAM_BOT_TOKEN": "123456:TEST-TOKEN", "TELEGRAM_API_URL": fake.url,
            "MELDWIJZER_RASA_URL": rasa_url, "MELDWIJZER_TELEGRAM_STAFF": str(staff_file),
            "MELDWIJZER_RELAY_SECRET": os.environ["MELDWIJZER_RELAY_SECRET"]}


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    api = FakeTelegram()
    yield api
    api.close()


@pytest.fixture
def telegram(fake, rasa_server, staff_file) -> Iterator[FakeTelegram]:
    bot = RunningBot(bot_env(fake, rasa_server, staff_file))
    yield fake
    bot.stop()


def say(fake: FakeTelegram, user: int, text: str, until: str) -> list:
    """Send `text` as `user`; wait for a message containing `until`; return the new messages."""
    since = len(fake.sent)
    fake.message(user, text)
    fake.wait_until(lambda sent: any(until in (m.get("text") or "") for m in sent[since:]
                                     if m["method"] == "sendMessage"))
    return fake.messages(since)


def test_start_warns_then_introduces_with_buttons(telegram):
    since = len(telegram.sent)
    replies = say(telegram, TEACHER, "/start", until="Waar kan ik je mee helpen")
    texts = [m["text"] for m in replies]
    assert "volledige naam van een kind" in texts[0] and "niet het leerlingdossier" in texts[0]
    assert any("automatische assistent" in t for t in texts)
    menu = replies[-1]
    titles = [b["text"] for b in buttons_of(menu)]
    assert "Zorg over een leerling" in titles and "Direct gevaar" in titles
    assert all(0 < len(b["callback_data"].encode()) <= CALLBACK_LIMIT for b in buttons_of(menu))
    # "typing" is shown while the bot waits for Rasa.
    assert any(s["method"] == "sendChatAction" and s.get("action") == "typing" for s in telegram.sent[since:])


def test_a_look_up_and_a_button_press(telegram):
    say(telegram, TEACHER, "/start", until="Waar kan ik je mee helpen")
    replies = say(telegram, TEACHER, "wat houdt die kindcheck eigenlijk in", until="indcheck")
    assert any("ouder" in m["text"] for m in replies)

    menu = say(telegram, TEACHER, "menu", until="Waar kan ik je mee helpen")[-1]
    [contacts] = [b for b in buttons_of(menu) if b["text"] == "Contacten (sociale kaart)"]
    since = len(telegram.sent)
    telegram.press(TEACHER, contacts["callback_data"], menu.get("message_id", 0) or 1)
    telegram.wait_until(lambda sent: len([m for m in sent[since:] if m["method"] == "sendMessage"]) >= 1)
    assert any(s["method"] == "answerCallbackQuery" for s in telegram.sent[since:])
    assert any(s["method"] == "editMessageReplyMarkup" for s in telegram.sent[since:])  # pressed once
    assert telegram.texts(since)[0]  # Rasa answered the button's payload


def test_the_safety_net_answers_on_telegram(telegram):
    replies = say(telegram, TEACHER, "hij sloeg haar vanochtend met een riem tot ze bloedde", until="112")
    text = "\n".join(m["text"] for m in replies)
    assert "112" in text and "0800-2000" in text


def test_an_unknown_user_is_refused_but_gets_the_emergency_numbers(telegram):
    replies = say(telegram, STRANGER, "ik maak me zorgen over een kind", until="0800-2000")
    assert len(replies) == 1
    assert "alleen voor medewerkers" in replies[0]["text"] and "112" in replies[0]["text"]
    since = len(telegram.sent)
    replies = say(telegram, STRANGER, "/start", until="0800-2000")
    assert "alleen voor medewerkers" in replies[0]["text"]
    assert not any(s["method"] == "sendChatAction" for s in telegram.sent[since:])  # Rasa not asked


def test_a_group_chat_is_refused(telegram):
    since = len(telegram.sent)
    telegram.message(TEACHER, "hoi allemaal", chat_type="group")
    telegram.wait_until(lambda sent: len([m for m in sent[since:] if m["method"] == "sendMessage"]) >= 1)
    [text] = telegram.texts(since)
    assert "privégesprek" in text and "112" in text


def test_a_case_opened_on_telegram_belongs_to_that_telegram_user(telegram):
    say(telegram, IB_USER, "/start", until="Waar kan ik je mee helpen")
    replies = say(telegram, IB_USER, "ik maak me zorgen om een meisje uit mijn klas", until="MW-")
    code = next(t for t in (m["text"] for m in replies) if "MW-" in t).split("MW-")[1][:9]
    cases = get_store().open_cases(Actor("telegram", str(IB_USER)))
    assert f"MW-{code}" in [c.code for c in cases]


def test_the_rasa_server_down_still_gives_the_numbers(fake, staff_file):
    dead = f"http://127.0.0.1:{free_port()}"
    bot = RunningBot(bot_env(fake, dead, staff_file))
    try:
        replies = say(fake, TEACHER, "is er iemand?", until="later opnieuw")
        assert EMERGENCY in replies[-1]["text"]
    finally:
        bot.stop()


def test_the_relay_channel_refuses_a_wrong_or_missing_secret(rasa_server):
    url = rasa_server + "/webhooks/telegram/webhook"
    body = {"sender": str(TEACHER), "message": "hoi"}
    assert requests.post(url, json=body, timeout=10).status_code == 403
    assert requests.post(url, json=body, headers={RELAY_HEADER: "fout"}, timeout=10).status_code == 403
    ok = requests.post(url, json=body, headers={RELAY_HEADER: os.environ["MELDWIJZER_RELAY_SECRET"]}, timeout=30)
    assert ok.status_code == 200 and ok.json()


def test_the_rest_channel_cannot_claim_to_be_telegram(rasa_server):
    sender = "700555"
    response = requests.post(rasa_server + "/webhooks/rest/webhook", timeout=30, headers=REST_AUTH, json={
        "sender": sender, "message": "ik maak me zorgen om een jongen uit groep 6",
        "input_channel": "telegram"})
    assert response.status_code == 200 and "MW-" in " ".join(r.get("text", "") for r in response.json())
    store = get_store()
    assert store.open_cases(Actor("telegram", sender)) == []
    assert len(store.open_cases(Actor.parse(rest_id(sender)))) == 1


@pytest.mark.parametrize("length", [10, 4096, 4097, 10_000])
def test_long_replies_are_split_within_telegrams_limit(length):
    text = ("Een zin over de meldcode. " * (length // 25 + 1))[:length]
    pieces = split_text(text)
    assert all(0 < len(p) <= 4096 for p in pieces)
    assert " ".join(pieces).split() == text.split()


def test_a_payload_too_long_for_telegram_goes_by_a_key():
    payloads: Dict[str, str] = {}
    long_payload = '/inform{"route_answer": "' + "x" * 80 + '"}'
    markup = keyboard([{"title": "Lang", "payload": long_payload}, {"title": "Ja", "payload": "/affirm"}], payloads)
    [[long_button], [short_button]] = markup.inline_keyboard
    assert len(long_button.callback_data.encode()) <= CALLBACK_LIMIT
    assert payloads[long_button.callback_data] == long_payload
    assert short_button.callback_data == "/affirm"
