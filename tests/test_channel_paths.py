"""Every spelling of a channel's paths gets the same checks (real Rasa server, conftest).

Sanic routes `/webhook/` to the `/webhook` route, so a check that looks at how the client wrote
the path (`request.path.endswith("/webhook")`) is skipped by a trailing slash: the Telegram
relay then answered anyone as `telegram:<any id>`. Also other casing and other methods."""
from __future__ import annotations

import os
import time

import pytest
import requests

from actions.case_log.dialogue import get_store
from actions.case_log.store import Actor
from bot.channels import NO_REPLY, RELAY_HEADER

OPENS_A_CASE = "ik maak me zorgen om een meisje uit mijn klas"
RELAY = "/webhooks/telegram"
SPELLINGS = [("POST", "/webhook"), ("POST", "/webhook/"), ("POST", "/WEBHOOK"), ("POST", "/Webhook/"),
             ("POST", "//webhook"), ("POST", "/webhook//"), ("POST", "/"), ("POST", ""),
             ("GET", "/webhook"), ("GET", "/webhook/"), ("HEAD", "/webhook"), ("HEAD", "/webhook/"),
             ("GET", "/"), ("GET", ""), ("HEAD", "/"), ("PUT", "/webhook/"), ("OPTIONS", "/webhook/")]


def relay_secret() -> str:
    return os.environ["MELDWIJZER_RELAY_SECRET"]


def new_user() -> str:
    return str(700_000_000 + time.monotonic_ns() % 100_000_000)  # a fictitious Telegram id


@pytest.mark.parametrize("headers", [{}, {RELAY_HEADER: "fout"}, {RELAY_HEADER: ""}],
                         ids=["no-secret", "wrong-secret", "empty-secret"])
@pytest.mark.parametrize("method,path", SPELLINGS, ids=[f"{m}-{p or 'none'}" for m, p in SPELLINGS])
def test_the_relay_refuses_every_spelling_without_its_secret(rasa_server, method, path, headers):
    user = new_user()
    answer = requests.request(method, rasa_server + RELAY + path, headers=headers, timeout=60,
                              json={"sender": user, "message": OPENS_A_CASE})
    # Refused; only a CORS preflight (OPTIONS, answered by Rasa's CORS layer before any
    # channel code runs) may succeed, and it carries nothing.
    preflight = method == "OPTIONS" and not answer.content
    assert answer.status_code >= 400 or preflight, (answer.status_code, answer.text[:300])
    assert "recipient_id" not in answer.text and "MW-" not in answer.text
    # The message never reached the dialogue: no case was opened for that Telegram user.
    assert get_store().open_cases(Actor("telegram", user)) == []


@pytest.mark.parametrize("path", ["/webhook", "/webhook/"])
def test_the_relay_with_its_secret_answers(rasa_server, path):
    user = new_user()
    answer = requests.post(rasa_server + RELAY + path, headers={RELAY_HEADER: relay_secret()},
                           json={"sender": user, "message": OPENS_A_CASE}, timeout=60)
    assert answer.status_code == 200 and "MW-" in " ".join(r.get("text", "") for r in answer.json())
    assert len(get_store().open_cases(Actor("telegram", user))) == 1
    health = requests.get(rasa_server + RELAY + "/", headers={RELAY_HEADER: relay_secret()}, timeout=10)
    assert health.status_code == 200


@pytest.mark.parametrize("slash", ["", "/"])
def test_the_rest_channel_is_never_silent_with_a_trailing_slash(chat, slash):
    chat.url = chat.url.rstrip("/") + slash
    # '/restart' makes Rasa say nothing; the channel then still answers with the numbers.
    assert [r.get("text") for r in chat.send("/restart")] == [NO_REPLY]


@pytest.mark.parametrize("path", ["/webhook", "/webhook/", "/WEBHOOK", "/Webhook/"])
def test_the_web_chat_checks_its_user_on_every_spelling(rasa_server, path):
    # The page's user is a random id per tab: a made-up sender gets no conversation.
    user = f"ib-voorbeeldschool-{time.monotonic_ns()}"
    answer = requests.post(rasa_server + "/webhooks/webchat" + path, timeout=60,
                           json={"sender": user, "message": OPENS_A_CASE})
    assert answer.status_code != 200 and "MW-" not in answer.text, (answer.status_code, answer.text[:300])
    assert get_store().open_cases(Actor("webchat", user)) == []
