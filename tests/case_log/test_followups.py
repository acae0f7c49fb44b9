"""Follow-ups and IB notices come back by themselves: pushed to Telegram through the Bot API
(a fake one here), kept due when sending fails, and shown to a terminal user at chat start.
On SQLite and PostgreSQL; every check uses a new store, as after a restart."""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from actions.case_log.crypto import Cipher
from actions.case_log.store import Actor, CaseStore
from bot.followups import deliver_due, show_for, telegram_sender

from .conftest import IB

TELEGRAM_TEACHER = Actor("telegram", "700001")
TERMINAL = Actor("cmdline", "terminal-abc123")


class FakeBotApi:
    """Enough of the Telegram Bot API for python-telegram-bot: getMe and sendMessage."""

    def __init__(self) -> None:
        self.sent = []
        self.failing = False
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                params = json.loads(body) if body.startswith("{") else dict(
                    p.split("=", 1) for p in body.split("&") if "=" in p)
                method = self.path.rsplit("/", 1)[-1]
                if api.failing and method == "sendMessage":
                    self._reply(500, {"ok": False, "error_code": 500, "description": "Internal"})
                elif method == "getMe":
                    self._reply(200, {"ok": True, "result": {"id": 1, "is_bot": True, "first_name": "MW",
                                                             "username": "mw_test_bot"}})
                elif method == "sendMessage":
                    from urllib.parse import unquote_plus
                    text = params.get("text")
                    text = unquote_plus(text) if isinstance(text, str) and not body.startswith("{") else text
                    api.sent.append((str(params.get("chat_id")), text))
                    self._reply(200, {"ok": True, "result": {
                        "message_id": len(api.sent), "date": 0,
                        "chat": {"id": int(params.get("chat_id")), "type": "private"}, "text": text}})
                else:
                    self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})

            def _reply(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/bot"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def bot_api():
    api = FakeBotApi()
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
    [(chat_id, text)] = bot_api.sent
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
    assert counts["failed"] == 2 and bot_api.sent == []  # the follow-up and the IB notice
    bot_api.failing = False
    assert asyncio.run(deliver_due(restarted(store), senders))["sent"] == 2
    assert {chat for chat, _ in bot_api.sent} == {"700001", IB.user}
    assert any("0800-2000" in text for _, text in bot_api.sent)


def test_the_ib_hears_that_a_case_was_opened_and_by_whom_without_content(store, clock, bot_api):
    code = store.open_case(TELEGRAM_TEACHER, "voorbeeldschool")
    store.apply(code, TELEGRAM_TEACHER, [{"op": "entry", "kind": "fact", "text": "Geheime inhoud."}])
    senders = {"telegram": telegram_sender("123:ABC", bot_api.base_url)}
    asyncio.run(deliver_due(store, senders))
    [(chat_id, text)] = bot_api.sent
    assert chat_id == IB.user and code in text and TELEGRAM_TEACHER.id in text
    assert "Geheime" not in text


def test_a_terminal_user_sees_due_reminders_when_the_chat_starts(store, clock, capsys):
    code = store.open_case(TERMINAL, "voorbeeldschool")
    store.apply(code, TERMINAL, [{"op": "follow_up", "kind": "check_help",
                                  "due_at": clock.now.isoformat()}])
    counts = asyncio.run(deliver_due(store, {}))
    assert counts == {"sent": 0, "failed": 0, "waiting": 2}  # no push for the terminal (nor the IB here)
    assert show_for(restarted(store), TERMINAL) == 1
    assert f"Herinnering casus {code}" in capsys.readouterr().out
    assert show_for(restarted(store), TERMINAL) == 0
