"""Microsoft Teams (Rasa's botframework channel for a single-tenant bot), offline: the channel
loads without the signing keys, only a request signed by the Bot Connector for this bot, its
serviceUrl and its tenant is answered, and the token request goes to the tenant's own
endpoint. A fake Microsoft on 127.0.0.1 announces a signing key that the tests hold."""
from __future__ import annotations

import asyncio
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, Iterator, List
from urllib.parse import parse_qsl

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from bot.teams import TenantBotFramework

from conftest import ROOT, start_rasa, stop
from fake_telegram import send_json

TENANT = "00000000-0000-4000-8000-000000000001"  # made-up ids
APP_ID = "00000000-0000-4000-8000-000000000002"


KEY_ID = "test-signing-key"
SIGNING_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeMicrosoft:
    """The token endpoint, the Bot Connector service and the announced signing keys, on
    127.0.0.1. `keys_available` False answers the key look-up with 503 (as offline)."""

    def __init__(self) -> None:
        self.calls: List[Dict] = []
        self.keys_available = True
        calls = self.calls
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                if not fake.keys_available:
                    send_json(self, 503, {})
                elif self.path == "/openid":
                    send_json(self, 200, {"jwks_uri": fake.url + "/keys"})
                else:
                    key = json.loads(RSAAlgorithm.to_jwk(SIGNING_KEY.public_key()))
                    send_json(self, 200, {"keys": [dict(key, kid=KEY_ID)]})

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
    asyncio.run(channel.send_text_message("conv-user", "Hoi, ik ben Meldwijzer."))
    token_call, activity = microsoft.calls
    assert token_call["path"] == f"/{TENANT}/oauth2/v2.0/token"
    assert "botframework.com" not in token_call["path"]
    assert token_call["body"]["client_id"] == APP_ID
    assert token_call["body"]["grant_type"] == "client_credentials"
    assert token_call["body"]["scope"] == "https://api.botframework.com/.default"
    assert activity["path"] == "/v3/conversations/conv-1/activities"
    assert activity["auth"] == "Bearer test-token"
    assert activity["body"]["text"] == "Hoi, ik ben Meldwijzer."


def token(service_url: str, key=SIGNING_KEY, algorithm: str = "RS256", **claims) -> Dict[str, str]:
    """An Authorization header as the Bot Connector sends it; `claims` change or (None) drop one."""
    body = {"iss": "https://api.botframework.com", "aud": APP_ID, "exp": int(time.time()) + 600,
            "nbf": int(time.time()) - 60, "serviceurl": service_url, **claims}
    body = {name: value for name, value in body.items() if value is not None}
    signed = jwt.encode(body, key, algorithm=algorithm, headers={"kid": KEY_ID})
    return {"Authorization": f"Bearer {signed}"}


def activity(service_url: str, tenant: str = TENANT, text: str = "nummer van veilig thuis") -> Dict:
    return {"type": "message", "text": text, "from": {"id": "u1"}, "conversation": {"id": "c1"},
            "recipient": {"id": "b1"}, "serviceUrl": service_url,
            "channelData": {"tenant": {"id": tenant}}}


def test_only_the_bot_connector_for_this_bot_and_tenant_is_answered_and_the_api_wants_a_token(
        model_path, action_server, microsoft, tmp_path):
    attacker = FakeMicrosoft()  # where a forged activity would send the bot's reply and token
    microsoft.keys_available = False  # start-up without the signing keys
    # The block that credentials.yml documents, switched on, with this fake Microsoft.
    lines = (ROOT / "credentials.yml").read_text().splitlines()
    start = lines.index("# bot.teams.TeamsInput:")
    enabled = [line[2:] for line in lines[start:start + 4]]
    enabled += [f'  openid_url: "{microsoft.url}/openid"', f'  login_url: "{microsoft.url}"']
    credentials = tmp_path / "credentials.yml"
    credentials.write_text("\n".join(enabled) + "\n")
    env = {"MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_PASSWORD": "geheim", "MICROSOFT_TENANT_ID": TENANT,
           # no internet here: anything but 127.0.0.1 goes to a closed port
           "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": "127.0.0.1"}
    # The HTTP API as the README's production section switches it on: only with a token.
    api = ["--enable-api", "--auth-token", "api-test-token"]
    server = start_rasa(model_path, action_server, tmp_path, credentials=credentials, env=env, extra_args=api)
    try:
        url = server.base_url + "/webhooks/botframework/webhook"
        service = microsoft.url + "/"

        def post(body: Dict, headers: Dict[str, str], path: str = url) -> int:
            return requests.post(path, json=body, headers=headers, timeout=60).status_code

        # No keys yet: even a well-signed request is refused; unsigned and forged ones too.
        assert post(activity(service), token(service)) == 401
        assert post(activity(service), {}) == 401
        forged = {"Authorization": "Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6ImZha2UifQ.e30.c2ln"}
        assert post(activity(service), forged) == 401
        assert microsoft.calls == []

        microsoft.keys_available = True  # the next request fetches the keys
        other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        attacks = {
            "serviceUrl of the activity is not the token's": (activity(attacker.url + "/"), token(service)),
            "another tenant": (activity(service, tenant="00000000-0000-4000-8000-00000000000f"), token(service)),
            "no tenant": ({**activity(service), "channelData": {}}, token(service)),
            "another issuer": (activity(service), token(service, iss="https://evil.example")),
            "no serviceurl claim": (activity(service), token(service, serviceurl=None)),
            "another bot": (activity(service), token(service, aud="another-app")),
            "expired": (activity(service), token(service, exp=int(time.time()) - 600)),
            "signed by another key": (activity(service), token(service, key=other_key)),
        }
        for name, (body, headers) in attacks.items():
            assert post(body, headers) == 401, name
            assert post(body, headers, url + "/") == 401, name + " (trailing slash)"
        assert attacker.calls == [] and microsoft.calls == []

        # The real thing: answered through the tenant's token, at the activity's serviceUrl.
        assert post(activity(service), token(service)) == 200
        token_call, *replies = microsoft.calls
        assert token_call["path"] == f"/{TENANT}/oauth2/v2.0/token"
        assert replies and all(r["path"] == "/v3/conversations/c1/activities" for r in replies)
        assert "0800-2000" in " ".join(r["body"].get("text") or "" for r in replies)
        assert requests.get(server.base_url + "/webhooks/botframework/", timeout=10).status_code == 200

        status = server.base_url + "/status"
        assert requests.get(status, timeout=10).status_code == 401
        assert requests.get(status, params={"token": "wrong"}, timeout=10).status_code == 401
        tracker = server.base_url + "/conversations/u1/tracker"
        assert requests.get(tracker, timeout=10).status_code == 401
        assert requests.get(status, params={"token": "api-test-token"}, timeout=10).status_code == 200
    finally:
        stop(server)
        attacker.close()
