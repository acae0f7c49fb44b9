"""Rasa input channels with the identity checks the case log relies on.

The case log knows a user as (channel, user id). Rasa's own REST channel lets the caller name
any `input_channel` in the request body, so anyone who can reach it could claim to be a
Telegram user. These subclasses fix the channel name:

- `RestChannel` (/webhooks/rest/webhook): Rasa's REST channel, always channel "rest".
- `TelegramRelayInput` (/webhooks/telegram/webhook): only the python-telegram-bot process
  (bot/telegram_bot.py) may post here, proven by the shared secret in the header
  X-Meldwijzer-Relay (MELDWIJZER_RELAY_SECRET, or the git-ignored file var/relay.secret that
  `make telegram` creates). Without a configured secret the channel refuses everything.
"""
from __future__ import annotations

import hmac
import os
from pathlib import Path
from typing import Any, Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

RELAY_HEADER = "X-Meldwijzer-Relay"
RELAY_SECRET_FILE = Path(os.environ.get("MELDWIJZER_RELAY_SECRET_FILE", "var/relay.secret"))


def relay_secret() -> Optional[str]:
    secret = os.environ.get("MELDWIJZER_RELAY_SECRET")
    if secret:
        return secret.strip()
    try:
        return RELAY_SECRET_FILE.read_text(encoding="ascii").strip() or None
    except OSError:
        return None


class RestChannel(RestInput):
    """Rasa's REST channel; the request cannot choose another channel's name."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def _extract_input_channel(self, req: Request) -> Text:
        return self.name()


class TelegramRelayInput(RestChannel):
    """Messages relayed by the Telegram bot process; sender = Telegram user id."""

    @classmethod
    def name(cls) -> Text:
        return "telegram"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        relay = super().blueprint(on_new_message)

        @relay.middleware("request")
        async def only_the_relay(request: Request):  # type: ignore[no-untyped-def]
            if request.path.endswith("/webhook"):
                secret = relay_secret()
                given = request.headers.get(RELAY_HEADER, "")
                if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
                    return response.json({"error": "relay secret missing or wrong"}, status=403)
            return None

        return relay
