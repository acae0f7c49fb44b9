"""Microsoft Teams (Rasa's botframework channel for a single-tenant bot), offline: the channel
loads without internet, an unsigned request is refused, and the token request goes to the
tenant's own endpoint."""
from __future__ import annotations

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, Iterator, List
from urllib.parse import parse_qsl

import pytest
import requests

from bot.teams import TenantBotFramework

from conftest import ROOT, start_rasa, stop
from fake_telegram import send_json

TENANT = "00000000-0000-4000-8000-000000000001"  # made-up ids
APP_ID = "00000000-0000-4000-8000-000000000002"


class FakeMicrosoft:
    """The token endpoint and the Bot Connector service, on 127.0.0.1."""

    def __init__(self) -> None:
        self.calls: List[Dict] = []
        calls = self.calls

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                form = dict(parse_qsl(body)) if "token" in self.path else json.loads(body)
                calls.append({"path": self.path, "body": form, "auth": self.headers.get("Authorization")})
                reply = ({"access_token": "test-token", "expires_in": 3600, "token_type": "Bearer"}
                         if "token" in self.path else {"id": "activity-1"})
                send_json(self, 200, reply)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def microsoft() -> Iterator[FakeMicrosoft]:
    fake = FakeMicrosoft()
    yield fake
    fake.close()


def test_the_token_comes_from_the_tenants_endpoint(microsoft):
    channel = TenantBotFramework(APP_ID, "geheim", {"id": "conv-1"}, {"id": "bot-1"},
                                 microsoft.url, TENANT, login_url=microsoft.url)
    # Rasa answers to the conversation id; Teams gets its own user id back.
    asyncio.run(channel.send_text_message("botframework:conv-user", "Hoi, ik ben Meldwijzer."))
    token_call, activity = microsoft.calls
    assert token_call["path"] == f"/{TENANT}/oauth2/v2.0/token"
    assert "botframework.com" not in token_call["path"]
    assert token_call["body"]["client_id"] == APP_ID
    assert token_call["body"]["grant_type"] == "client_credentials"
    assert token_call["body"]["scope"] == "https://api.botframework.com/.default"
    assert activity["path"] == "/v3/conversations/conv-1/activities"
    assert activity["auth"] == "Bearer test-token"
    assert activity["body"]["text"] == "Hoi, ik ben Meldwijzer."
    assert activity["body"]["recipient"] == {"id": "conv-user"}


def test_a_teams_conversation_is_named_by_its_channel(monkeypatch):
    from rasa.core.channels.botframework import BotFramework
    from rasa.core.channels.channel import UserMessage

    from bot.teams import TeamsInput

    for name in ("HTTPS_PROXY", "HTTP_PROXY"):  # no internet: the signing keys are not fetched
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    channel = TeamsInput(APP_ID, "geheim", TENANT)
    out = BotFramework(APP_ID, "geheim", {"id": "c1"}, {"id": "b1"}, "http://127.0.0.1:9/")
    message = channel.own(UserMessage("hoi", out, "29:1abc", input_channel="botframework"))
    assert message.sender_id == "botframework:29:1abc"
    assert isinstance(message.output_channel, TenantBotFramework)


def test_the_teams_channel_loads_offline_and_refuses_unsigned_requests_and_the_api_wants_a_token(
        model_path, action_server, tmp_path):
    # The block that credentials.yml documents, switched on.
    lines = (ROOT / "credentials.yml").read_text().splitlines()
    start = lines.index("# bot.teams.TeamsInput:")
    enabled = [line[2:] for line in lines[start:start + 4]]
    credentials = tmp_path / "credentials.yml"
    credentials.write_text("bot.channels.RestChannel:\n" + "\n".join(enabled) + "\n")
    env = {"MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_PASSWORD": "geheim", "MICROSOFT_TENANT_ID": TENANT,
           # no internet here either: the signing keys cannot be fetched
           "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": "127.0.0.1"}
    # The HTTP API as the README's production section switches it on: only with a token.
    api = ["--enable-api", "--auth-token", "api-test-token"]
    server = start_rasa(model_path, action_server, tmp_path, credentials=credentials, env=env, extra_args=api)
    try:
        url = server.base_url + "/webhooks/botframework/webhook"
        activity = {"type": "message", "text": "hoi", "from": {"id": "u1"}, "conversation": {"id": "c1"},
                    "recipient": {"id": "b1"}, "serviceUrl": "http://127.0.0.1:9/"}
        assert requests.post(url, json=activity, timeout=30).status_code == 401
        forged = {"Authorization": "Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6ImZha2UifQ.e30.c2ln"}
        assert requests.post(url, json=activity, headers=forged, timeout=30).status_code == 401
        assert requests.get(server.base_url + "/webhooks/botframework/", timeout=10).status_code == 200

        status = server.base_url + "/status"
        assert requests.get(status, timeout=10).status_code == 401
        assert requests.get(status, params={"token": "wrong"}, timeout=10).status_code == 401
        tracker = server.base_url + "/conversations/u1/tracker"
        assert requests.get(tracker, timeout=10).status_code == 401
        assert requests.get(status, params={"token": "api-test-token"}, timeout=10).status_code == 200
    finally:
        stop(server)
