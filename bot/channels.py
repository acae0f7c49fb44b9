"""Rasa input channels with the identity checks the case log relies on.

The case log knows a user as (channel, user id). Rasa's own REST channel lets the caller name
any `input_channel` in the request body, so anyone who can reach it could claim to be a
Telegram user. These subclasses fix the channel name:

- `RestChannel` (/webhooks/rest/webhook): Rasa's REST channel, always channel "rest".
- `TelegramRelayInput` (/webhooks/telegram/webhook): only the python-telegram-bot process
  (bot/telegram_bot.py) may post here, proven by the shared secret in the header
  X-Meldwijzer-Relay (MELDWIJZER_RELAY_SECRET, or the git-ignored file var/relay.secret that
  `make telegram` creates). Every request the channel handles needs it, whatever its path
  spelling (`/webhook/`) or method; without a configured secret the channel refuses everything.

Both (and the web chat, bot/webchat) never answer with silence: when Rasa said nothing (a
crash, the action server down in the middle of the route, a typed '/restart'), the reply is
the safety net's guidance if the message was about danger, else a Dutch line with the
emergency numbers (`never_silent`). Lone UTF-16 surrogates, which JSON can carry but spaCy
and UTF-8 cannot, are replaced before Rasa sees the text (`clean_text`).
"""
from __future__ import annotations

import hmac
import logging
import os
import re
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.limits import limit_body, within_limit

logger = logging.getLogger(__name__)

RELAY_HEADER = "X-Meldwijzer-Relay"
RELAY_SECRET_FILE = Path(os.environ.get("MELDWIJZER_RELAY_SECRET_FILE", "var/relay.secret"))
NO_REPLY = ("Daar heb ik nu geen antwoord op. Typ 'menu' voor de opties, of probeer het zo opnieuw.\n"
            "Direct gevaar? Bel 112. Veilig Thuis: 0800-2000 (gratis, 24/7).")
DANGER_RESPONSES = ("utter_acute_guidance", "utter_acute_child_and_record")
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: Any) -> Any:
    """A message's text without lone surrogates (they become U+FFFD); other values unchanged."""
    return _SURROGATE.sub("\ufffd", text) if isinstance(text, str) else text


async def never_silent(request: Request, sender: Optional[str], channel: str,
                       replies: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """`replies`, or what to say when Rasa said nothing (see the module docstring)."""
    if replies:
        return replies
    logger.warning("%s: no reply from the assistant; the fallback reply is sent", channel)
    try:
        agent = request.app.ctx.agent
        tracker = await agent.tracker_store.retrieve(sender) if sender else None
        intent = (tracker.latest_message.intent or {}).get("name") if tracker else None
        if intent == "acute_danger":  # the safety net's guidance, as the rules would give it
            out = []
            for name in DANGER_RESPONSES:
                generated = await agent.nlg.generate(name, tracker, channel)
                if generated and generated.get("text"):
                    out.append({"recipient_id": sender, "text": generated["text"]})
            if out:
                return out
    except Exception:  # noqa: BLE001 - the fixed reply below needs nothing that can fail
        logger.exception("%s: no guidance for a silent reply", channel)
    return [{"recipient_id": sender, "text": NO_REPLY}]


def relay_secret() -> Optional[str]:
    secret = os.environ.get("MELDWIJZER_RELAY_SECRET")
    if secret:
        return secret.strip()
    try:
        return RELAY_SECRET_FILE.read_text(encoding="ascii").strip() or None
    except OSError:
        return None


def is_webhook_route(request: Request) -> bool:
    """The request was routed to a channel's `/webhook` route (also when sent as `/webhook/`):
    the route's own path is checked, not how the client spelled it."""
    return request.route is not None and request.uri_template.rstrip("/").endswith("/webhook")


class RestChannel(RestInput):
    """Rasa's REST channel; the request cannot choose another channel's name."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def _extract_input_channel(self, req: Request) -> Text:
        return self.name()

    def _extract_message(self, req: Request) -> Optional[Text]:
        return clean_text(super()._extract_message(req))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        rest = limit_body(super().blueprint(within_limit(on_new_message)))  # bot/limits.py

        @rest.middleware("response")
        async def not_silent(request: Request, answer: Any):  # type: ignore[no-untyped-def]
            if (is_webhook_route(request) and isinstance(answer, HTTPResponse)
                    and answer.status == 200 and answer.body == b"[]"):
                sender = request.json.get("sender") if isinstance(request.json, dict) else None
                replies = await never_silent(request, sender, self.name(), [])
                return response.json(replies)
            return None

        return rest


class TelegramRelayInput(RestChannel):
    """Messages relayed by the Telegram bot process; sender = Telegram user id."""

    @classmethod
    def name(cls) -> Text:
        return "telegram"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        relay = super().blueprint(on_new_message)

        # Blueprint middleware runs for every route of this channel, whatever the spelling of
        # the path (Sanic also routes `/webhook/` to `/webhook`) or the method.
        @relay.middleware("request")
        async def only_the_relay(request: Request):  # type: ignore[no-untyped-def]
            secret = relay_secret()
            given = request.headers.get(RELAY_HEADER, "")
            if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
                return response.json({"error": "relay secret missing or wrong"}, status=403)
            return None

        return relay
