"""Telegram in webhook mode (TELEGRAM_WEBHOOK_URL): the real python-telegram-bot Application
with its own webhook server on 127.0.0.1, the fake Bot API (tests/fake_telegram.py) and the real
Rasa server. Whoever finds the webhook's address can post an update that claims to come from a
staff member on the allowlist; only Telegram knows the secret it sends with every update."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, Iterator, Optional

import pytest
import requests
import yaml

from actions.case_log.dialogue import get_store
from actions.case_log.store import Actor
from bot.telegram_bot import webhook_options

from conftest import ROOT, SERVER_ENV, free_port, network_address, reachable
from fake_telegram import FakeTelegram, RunningBot

TEACHER = 700201  # fictitious Telegram user id, on the allowlist
SECRET = "Ab3_" * 10  # 40 characters Telegram allows
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
OPENS_A_CASE = "ik maak me zorgen om een meisje uit mijn klas"


@pytest.fixture(scope="module")
def staff_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("telegram-webhook") / "staff.yml"
    path.write_text(yaml.safe_dump({"staff": [{"telegram_id": TEACHER, "school": "voorbeeldschool",
                                               "role": "leerkracht", "display_name": "Leerkracht"}]}))
    return path


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    api = FakeTelegram()
    yield api
    api.close()


def webhook_env(fake: FakeTelegram, rasa_url: str, staff_file: Path, port: int,
                secret: Optional[str]) -> Dict[str, str]:
    env = {"TELEGRAM_BOT_TOKEN": "123456:TEST-TOKEN", "TELEGRAM_API_URL": fake.url,
           "MELDWIJZER_RASA_URL": rasa_url, "MELDWIJZER_TELEGRAM_STAFF": str(staff_file),
           "MELDWIJZER_RELAY_SECRET": os.environ["MELDWIJZER_RELAY_SECRET"],
           "TELEGRAM_WEBHOOK_URL": "https://meldwijzer.example/telegram", "TELEGRAM_WEBHOOK_PORT": str(port)}
    if secret is not None:
        env["TELEGRAM_WEBHOOK_SECRET"] = secret
    return env


def update(update_id: int, user: int, text: str) -> Dict:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "text": text,
        "chat": {"id": user, "type": "private"},
        "from": {"id": user, "is_bot": False, "first_name": "Leerkracht"}}}


def test_webhook_mode_does_not_start_without_a_secret(fake, staff_file):
    """`make telegram` / `python -m bot.telegram_bot` with TELEGRAM_WEBHOOK_URL but no secret."""
    port = free_port()
    env = {**SERVER_ENV, **webhook_env(fake, f"http://127.0.0.1:{free_port()}", staff_file, port, None)}
    env.pop("TELEGRAM_WEBHOOK_SECRET", None)
    process = subprocess.Popen([sys.executable, "-m", "bot.telegram_bot"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 90
        while process.poll() is None:
            # The attack needs the webhook server: it must never listen.
            assert not reachable("127.0.0.1", port), "webhook mode started without a secret"
            assert time.monotonic() < deadline, "the bot neither stopped nor listened"
            time.sleep(0.2)
    finally:
        if process.poll() is None:
            process.kill()
        _, error = process.communicate(timeout=30)
    assert process.returncode != 0
    assert "TELEGRAM_WEBHOOK_SECRET" in error and "Webhook-modus start niet zonder geheim" in error
    assert fake.webhooks == []  # Telegram was never told about the webhook


@pytest.mark.parametrize("secret", ["", "geheim", "x" * 31, "x" * 31 + "!", "x" * 257])
def test_a_weak_or_invalid_secret_is_refused_too(secret, fake, staff_file):
    with pytest.raises(SystemExit) as refused:
        webhook_options(webhook_env(fake, "http://127.0.0.1:1", staff_file, 8443, secret))
    assert "TELEGRAM_WEBHOOK_SECRET" in str(refused.value.code)


def test_polling_needs_no_webhook_secret():
    assert webhook_options({"TELEGRAM_BOT_TOKEN": "123456:TEST-TOKEN"}) is None


def test_a_forged_update_is_refused_and_a_signed_one_is_handled(fake, rasa_server, staff_file):
    port = free_port()
    bot = RunningBot(webhook_env(fake, rasa_server, staff_file, port, SECRET))
    try:
        # Telegram is told the secret; the server listens on this machine only.
        [registered] = [w for w in fake.webhooks if w["method"] == "setWebhook"]
        assert registered["secret_token"] == SECRET
        address = network_address()
        if address is not None:
            assert not reachable(address, port)
        url = f"http://127.0.0.1:{port}/"
        for headers in ({}, {SECRET_HEADER: "fout"}, {SECRET_HEADER: SECRET.lower()}, {SECRET_HEADER: ""}):
            forged = requests.post(url, json=update(len(fake.sent) + 100, TEACHER, OPENS_A_CASE),
                                   headers=headers, timeout=10)
            assert forged.status_code == 403, (headers, forged.status_code)
        time.sleep(2)  # room for a wrongly accepted update to be handled
        assert fake.sent == []  # the bot did nothing: no "typing", no message
        assert get_store().open_cases(Actor("telegram", str(TEACHER))) == []  # Rasa never saw it

        signed = requests.post(url, json=update(1, TEACHER, OPENS_A_CASE),
                               headers={SECRET_HEADER: SECRET}, timeout=10)
        assert signed.status_code == 200
        fake.wait_until(lambda sent: any("MW-" in (m.get("text") or "") for m in sent
                                         if m["method"] == "sendMessage"))
        assert len(get_store().open_cases(Actor("telegram", str(TEACHER)))) == 1
    finally:
        bot.stop()
