"""Who is talking? Every identity is proven by its channel, never by what a request claims
(issue 13, findings 3, 4 and 7). Real Rasa servers with the trained model and the action server:

- REST is off in the shipped credentials.yml; when on, only with an integration's token, and a
  body `sender` stays in that integration's own namespace ("rest:<integration>/<sender>").
- Every state-changing post of the channels must be JSON (no blind cross-site form or text post).
- The web chat behind a sign-in proxy takes the user header only from requests that prove they
  came through the proxy (its secret header and its address), and never a header with two values.
- A REST caller whose sender is a Telegram user's id neither joins that user's conversation nor
  writes into its case.
"""
from __future__ import annotations

import asyncio
import http.client
import json
import logging
import os
import re
import time
from typing import Dict, Iterator, List, Optional, Tuple
from urllib.parse import urlsplit

import pytest
import requests
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.case_actions import ActionMyCases
from actions.case_log.dialogue import UNPROVEN, get_store
from actions.case_log.store import Actor
from bot.channels import RELAY_HEADER

from conftest import REST_AUTH, ROOT, TelegramChat, render, rest_id, start_rasa, stop

CODE = re.compile(r"MW-\d{4}-\d{4}")
REST = "/webhooks/rest/webhook"
WORRY = "ik heb een niet-pluisgevoel over een leerling"


def unique_telegram_id() -> str:
    return str(710_000_000 + time.monotonic_ns() % 10_000_000)  # fictitious


# --- REST: a token per integration, JSON only, the integration's own namespace ----------------
def test_rest_without_a_token_or_with_a_wrong_one_is_refused(rasa_server):
    body = {"sender": "koppeling-test", "message": WORRY}
    missing = requests.post(rasa_server + REST, json=body, timeout=30)
    assert missing.status_code == 401 and missing.headers.get("WWW-Authenticate") == "Bearer"
    assert "112" in missing.text and "0800-2000" in missing.text
    assert requests.post(rasa_server + REST + "/", json=body, timeout=30).status_code in (401, 404)
    for header in ("Bearer " + "x" * 43, "Basic dGVzdHM6eA==", REST_AUTH["Authorization"] + "x", "Bearer"):
        wrong = requests.post(rasa_server + REST, json=body, headers={"Authorization": header}, timeout=30)
        assert wrong.status_code == 403, header
    # Nothing was processed: no case for that sender under any name.
    store = get_store()
    for actor in (Actor("rest", "koppeling-test"), Actor.parse(rest_id("koppeling-test"))):
        assert store.open_cases(actor) == []
    ok = requests.post(rasa_server + REST, json=body, headers=REST_AUTH, timeout=60)
    assert ok.status_code == 200 and CODE.search(render(ok.json()))
    assert len(store.open_cases(Actor.parse(rest_id("koppeling-test")))) == 1


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", None])
def test_a_post_that_is_not_json_is_refused_on_every_channel(rasa_server, content_type):
    """What a page on another site can make a browser send without asking (a "simple" request)."""
    tab = "web-" + "b" * 32
    posts = [
        (REST, REST_AUTH, {"sender": "blind", "message": WORRY}),
        ("/webhooks/telegram/webhook", {RELAY_HEADER: os.environ["MELDWIJZER_RELAY_SECRET"]},
         {"sender": unique_telegram_id(), "message": WORRY}),
        ("/webhooks/webchat/webhook", {}, {"sender": tab, "message": WORRY}),
        ("/webhooks/webchat/reminders", {}, {"sender": tab}),
    ]
    for path, headers, body in posts:
        sent = {**headers, **({"Content-Type": content_type} if content_type else {})}
        response = requests.post(rasa_server + path, data=json.dumps(body).encode(), headers=sent, timeout=30)
        assert response.status_code == 415, (path, response.status_code, response.text[:200])


@pytest.mark.parametrize("sender", ["telegram:700123", "webchat:user-ib", "tests/ib", "../x", "a b",
                                    "x" * 129, 700123, ["ib"]])
def test_a_rest_sender_outside_the_safe_pattern_is_refused(rasa_server, sender):
    response = requests.post(rasa_server + REST, json={"sender": sender, "message": "hoi"},
                             headers=REST_AUTH, timeout=30)
    assert response.status_code == 400 and "0800-2000" in response.text


# --- C: one channel's caller cannot join another channel's conversation ------------------------
def test_a_rest_caller_with_a_telegram_users_id_neither_joins_nor_writes_into_the_case(rasa_server):
    victim_id = unique_telegram_id()
    victim = TelegramChat(rasa_server, victim_id)
    text = victim.say(WORRY)
    code = CODE.search(text).group()
    victim.say("/deny")
    assert "Wat heb je gezien" in victim.say("/deny")  # the victim is at an open question

    intruder_replies = []
    for sender in (victim_id, f"telegram:{victim_id}"):
        response = requests.post(rasa_server + REST, headers=REST_AUTH, timeout=60, json={
            "sender": sender, "message": "De indringer zag een schram op de knie van de leerling."})
        intruder_replies.append(render(response.json()) if response.status_code == 200 else response.text)

    # The victim goes on with its own answers to its own questions.
    said = victim.say("Een blauwe plek op de arm, gezien bij binnenkomst.")
    said += victim.say("Maandag om half negen in de klas.")
    case = get_store().read_case(code, Actor("telegram", victim_id))
    texts = [entry.text or "" for entry in case.entries]
    assert not any("indringer" in t.lower() for t in texts), texts
    assert "Wanneer en waar" in said and "nog niet opgeslagen" not in said
    assert any("blauwe plek op de arm" in t for t in texts) and any("Maandag om half negen" in t for t in texts)
    assert {entry.author for entry in case.entries} == {f"telegram:{victim_id}"}
    # The intruder never got the victim's route (its next question) or its case code.
    for reply in intruder_replies:
        assert "Wanneer en waar" not in reply and code not in reply


def tracker(sender: str, channel: Optional[str]) -> Tracker:
    events = [{"event": "user", "input_channel": channel}] if channel else []
    latest = {"intent": {"name": "my_cases", "confidence": 0.9}, "entities": [], "text": "mijn casussen"}
    return Tracker(sender, {}, latest, events, False, None, {}, "action_listen")


@pytest.mark.parametrize("sender, channel", [
    ("telegram:700123", "rest"),  # a conversation id of one channel, a message from another
    ("webchat:user-ib", "cmdline"),
    ("700123", "telegram"),  # no channel in the id (as before issue 13)
    ("telegram:700123", None),
])
def test_a_conversation_whose_id_is_not_its_channels_has_no_case_access(sender, channel, monkeypatch):
    def no_store():
        raise AssertionError("the case log was asked")

    monkeypatch.setattr("actions.case_actions.get_store", no_store)
    dispatcher = CollectingDispatcher()
    assert asyncio.run(ActionMyCases().run(dispatcher, tracker(sender, channel), {})) == []
    assert [m.get("text") for m in dispatcher.messages] == [UNPROVEN]
    assert "112" in UNPROVEN and "0800-2000" in UNPROVEN


# --- B: the web chat behind a sign-in proxy ---------------------------------------------------
PROXY_SECRET = "proxy-test-" + "s" * 32
PROXY_ADDRESS = "127.0.0.2"  # the proxy; the tests' direct requests come from 127.0.0.1
LOGIN = "leerkracht-proxytest"


@pytest.fixture(scope="module")
def proxied(model_path, action_server, tmp_path_factory) -> Iterator[str]:
    """A Rasa server as shipped (credentials.yml unchanged), its web chat behind a proxy."""
    env = {"MELDWIJZER_WEBCHAT_USER_HEADER": "X-Forwarded-User",
           "MELDWIJZER_WEBCHAT_PROXY_SECRET": PROXY_SECRET,
           "MELDWIJZER_WEBCHAT_PROXY_ADDRESSES": f"{PROXY_ADDRESS}/32, 10.99.0.0/16"}
    server = start_rasa(model_path, action_server, tmp_path_factory.mktemp("proxied"),
                        credentials=ROOT / "credentials.yml", env=env)
    try:
        yield server.base_url  # type: ignore[attr-defined]
    finally:
        stop(server)


def post(base_url: str, path: str, headers: List[Tuple[str, str]], body: Dict,
         source: str = "127.0.0.1") -> Tuple[int, str]:
    """A JSON POST from `source`, with `headers` as given (a name may come twice)."""
    url = urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60, source_address=(source, 0))
    try:
        connection.putrequest("POST", path)
        data = json.dumps(body).encode()
        for name, value in [("Content-Type", "application/json"), ("Content-Length", str(len(data))), *headers]:
            connection.putheader(name, value)
        connection.endheaders(data)
        answer = connection.getresponse()
        return answer.status, answer.read().decode()
    finally:
        connection.close()


def say_as(base_url: str, headers: List[Tuple[str, str]], text: str, source: str = PROXY_ADDRESS) -> Tuple[int, str]:
    status, body = post(base_url, "/webhooks/webchat/webhook", headers,
                        {"sender": "web-" + "c" * 32, "message": text}, source)
    return status, (render(json.loads(body)) if body.startswith("[") else body)


def test_rest_is_off_in_the_shipped_credentials(proxied):
    body = {"sender": "koppeling", "message": "hoi"}
    assert requests.post(proxied + REST, json=body, headers=REST_AUTH, timeout=30).status_code == 404
    assert requests.post(proxied + REST, json=body, timeout=30).status_code == 404


def test_a_forged_user_header_without_the_proxys_proof_is_refused(proxied):
    user = [("X-Forwarded-User", LOGIN)]
    attempts = {
        "direct, no secret": (user, "127.0.0.1"),
        "direct, the right secret but not from the proxy": (user + [("X-Meldwijzer-Proxy", PROXY_SECRET)], "127.0.0.1"),
        "from the proxy's address, no secret": (user, PROXY_ADDRESS),
        "from the proxy's address, a wrong secret": (user + [("X-Meldwijzer-Proxy", "geraden")], PROXY_ADDRESS),
        "the secret twice": (user + [("X-Meldwijzer-Proxy", "geraden"), ("X-Meldwijzer-Proxy", PROXY_SECRET)],
                             PROXY_ADDRESS),
    }
    for what, (headers, source) in attempts.items():
        status, text = say_as(proxied, headers, WORRY, source)
        assert status == 403, (what, status, text)
        assert "112" in text and "0800-2000" in text and not CODE.search(text), what
        reminders, _ = post(proxied, "/webhooks/webchat/reminders", headers, {"sender": "web-" + "c" * 32}, source)
        assert reminders == 403, what


def test_an_appended_user_header_is_refused(proxied):
    proof = [("X-Meldwijzer-Proxy", PROXY_SECRET)]
    for headers in ([("X-Forwarded-User", f"aanvaller, {LOGIN}")],
                    [("X-Forwarded-User", "aanvaller"), ("X-Forwarded-User", LOGIN)],
                    [("X-Forwarded-User", LOGIN), ("X-Forwarded-User", "aanvaller")],
                    [("X-Forwarded-User", "iemand met spaties")]):
        status, text = say_as(proxied, proof + headers, WORRY)
        assert status == 403, (headers, status, text)
        assert "0800-2000" in text and not CODE.search(text)


def test_the_proxys_own_request_is_accepted_and_owns_its_cases(proxied):
    through_proxy = [("X-Meldwijzer-Proxy", PROXY_SECRET), ("X-Forwarded-User", LOGIN)]
    status, text = say_as(proxied, through_proxy, WORRY)
    assert status == 200, text
    code = CODE.search(text).group()
    assert code in [c.code for c in get_store().open_cases(Actor("webchat", f"user-{LOGIN}"))]
    status, text = say_as(proxied, through_proxy, "mijn casussen")
    assert status == 200 and code in text
    # The same user header sent directly (not through the proxy) sees nothing.
    status, text = say_as(proxied, [("X-Forwarded-User", LOGIN)], "mijn casussen", source="127.0.0.1")
    assert status == 403 and code not in text


def test_a_user_header_without_any_proof_refuses_everything_and_says_why(caplog):
    from bot.webchat import WebChatInput, proxy_networks

    from test_webchat import FakeRequest

    with caplog.at_level(logging.ERROR, logger="bot.webchat"):
        unproven = WebChatInput(user_header="X-Forwarded-User")
    assert unproven.unproven_proxy
    assert "MELDWIJZER_WEBCHAT_PROXY_SECRET" in caplog.text and "refused" in caplog.text
    assert unproven.user_of(FakeRequest({"X-Forwarded-User": LOGIN}), None) is None
    by_address = WebChatInput(user_header="X-Forwarded-User",
                              proxy_addresses=proxy_networks("10.0.0.5"))
    assert by_address.user_of(FakeRequest({"X-Forwarded-User": LOGIN}, ip="10.0.0.5"), None) == f"user-{LOGIN}"
    assert by_address.user_of(FakeRequest({"X-Forwarded-User": LOGIN, "X-Forwarded-For": "10.0.0.5"},
                                          ip="127.0.0.1"), None) is None
