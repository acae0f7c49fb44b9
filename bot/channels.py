"""Rasa input channels with the identity checks the case log relies on.

The case log knows a user as (channel, user id), and takes it from the conversation id: every
channel here names its conversations "<channel>:<user>" itself (`conversation_id`), so a caller
of one channel can never reach another channel's conversation or cases. Rasa's own REST channel
lets the caller name any `input_channel` and any `sender`; these subclasses do not:

- `RestChannel` (/webhooks/rest/webhook), for a school's own integrations; off in the shipped
  credentials.yml. Each integration gets its own token (MELDWIJZER_REST_TOKENS="name=token,...")
  and sends it as `Authorization: Bearer <token>`; no or a wrong token: refused. The integration
  is the identity: conversation "rest:<name>", or "rest:<name>/<sender>" when the body gives a
  `sender` (letters, digits, "_", "." and "-", at most 128): a namespace the integration owns.
- `TelegramRelayInput` (/webhooks/telegram/webhook): only the python-telegram-bot process
  (bot/telegram_bot.py) may post here, proven by the shared secret in the header
  X-Meldwijzer-Relay (MELDWIJZER_RELAY_SECRET, or the git-ignored file var/relay.secret that
  `make telegram` creates). Every request the channel handles needs it, whatever its path
  spelling (`/webhook/`) or method; without a configured secret the channel refuses everything.
  Conversation "telegram:<Telegram user id>".

Both take only `Content-Type: application/json` posts, so a web page elsewhere cannot make a
browser post a form or plain text to them. Both (and the web chat, bot/webchat) never answer
with silence: when Rasa said nothing (a crash, the action server down in the middle of the
route, a typed '/restart'), the reply is the safety net's guidance if the message was about
danger, else a Dutch line with the emergency numbers (`never_silent`). Lone UTF-16 surrogates,
which JSON can carry but spaCy and UTF-8 cannot, are replaced before Rasa sees the text
(`clean_text`).
"""
from __future__ import annotations

import hmac
import logging
import os
import re
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.shared_secret import configured_secret
from bot import log_privacy
from bot.host_check import guard
from bot.limits import limit_body, within_limit

logger = logging.getLogger(__name__)
log_privacy.install()  # Rasa's REST handler would log message text on a timeout or failure

RELAY_HEADER = "X-Meldwijzer-Relay"
NO_REPLY = ("Daar heb ik nu geen antwoord op. Typ 'menu' voor de opties, of probeer het zo opnieuw.\n"
            "Direct gevaar? Bel 112. Veilig Thuis: 0800-2000 (gratis, 24/7).")
EMERGENCY = "Direct gevaar? Bel 112. Veilig Thuis: 0800-2000 (gratis, 24/7)."
DANGER_RESPONSES = ("utter_acute_guidance", "utter_acute_child_and_record")
_SURROGATE = re.compile("[\ud800-\udfff]")
SAFE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")  # an integration's name or its own sender
TELEGRAM_USER = re.compile(r"^[0-9]{1,20}$")
MIN_TOKEN = 24  # characters; `python -c "import secrets; print(secrets.token_urlsafe(32))"` gives 43


def clean_text(text: Any) -> Any:
    """A message's text without lone surrogates (they become U+FFFD); other values unchanged."""
    return _SURROGATE.sub("\ufffd", text) if isinstance(text, str) else text


def conversation_id(channel: str, user: str) -> str:
    """The conversation (tracker) id of `user` on `channel`. The action server takes the case
    log's actor from it and checks the channel part (actions/case_log/dialogue.py actor_of)."""
    return f"{channel}:{user}"


def is_json(request: Request) -> bool:
    return request.content_type.split(";")[0].strip().lower() == "application/json"


def refused(status: int, why: str, headers: Optional[Dict[str, str]] = None) -> HTTPResponse:
    """A refusal in the REST reply format, in Dutch, with the emergency numbers."""
    return response.json([{"recipient_id": None, "text": f"{why}\n{EMERGENCY}"}], status=status,
                         headers=headers)


async def never_silent(request: Request, sender: Optional[str], channel: str,
                       replies: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """`replies`, or what to say when Rasa said nothing (see the module docstring).
    `sender`: the conversation id."""
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
    return configured_secret("MELDWIJZER_RELAY_SECRET", "var/relay.secret")


def rest_tokens(configured: Optional[str]) -> Dict[str, str]:
    """token -> integration name, from "name=token,name2=token2" (MELDWIJZER_REST_TOKENS).
    A wrong entry is left out and logged by its name (never the token)."""
    tokens: Dict[str, str] = {}
    for number, item in enumerate((configured or "").split(","), 1):
        if not item.strip():
            continue
        name, _, token = (part.strip() for part in item.partition("="))
        if not SAFE_NAME.match(name) or len(token) < MIN_TOKEN or token in tokens:
            logger.error("MELDWIJZER_REST_TOKENS: entry %d (%s) left out: use name=token, a name of "
                         "letters, digits, '_', '.', '-' and a token of at least %d characters, "
                         "one token per integration", number, name if SAFE_NAME.match(name) else "?",
                         MIN_TOKEN)
            continue
        tokens[token] = name
    return tokens


class OwnChannelRest(RestInput):
    """Rasa's REST channel with the channel fixed to `name()`, the conversation id made by the
    channel ("<name>:<user>", the user from `user_of`), JSON posts only, never silent."""

    def _extract_input_channel(self, req: Request) -> Text:
        return self.name()

    def _extract_message(self, req: Request) -> Optional[Text]:
        return clean_text(super()._extract_message(req))

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        return req.ctx.conversation_id  # set by the request middleware below

    def user_of(self, request: Request) -> Any:
        """The user in this channel (a str), or the refusal (an HTTPResponse)."""
        raise NotImplementedError

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        rest = guard(limit_body(super().blueprint(within_limit(on_new_message))))  # bot/limits.py

        @rest.middleware("request")
        async def json_from_a_known_user(request: Request):  # type: ignore[no-untyped-def]
            request.ctx.conversation_id = None
            if request.method in ("GET", "HEAD"):
                return None
            if not is_json(request):
                return refused(415, "Stuur berichten als JSON (Content-Type: application/json).")
            if not isinstance(request.json, dict):
                return refused(400, "Stuur een JSON-object met 'message'.")
            user = self.user_of(request)
            if isinstance(user, HTTPResponse):
                return user
            request.ctx.conversation_id = conversation_id(self.name(), user)
            return None

        @rest.middleware("response")
        async def not_silent(request: Request, answer: Any):  # type: ignore[no-untyped-def]
            if (request.ctx.conversation_id and isinstance(answer, HTTPResponse)
                    and answer.status == 200 and answer.body == b"[]"):
                replies = await never_silent(request, request.ctx.conversation_id, self.name(), [])
                return response.json(replies)
            return None

        return rest


class RestChannel(OwnChannelRest):
    """Rasa's REST channel for the school's own integrations, each with its own token."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "RestChannel":
        return cls(rest_tokens(os.environ.get("MELDWIJZER_REST_TOKENS")))

    def __init__(self, tokens: Optional[Dict[str, str]] = None) -> None:
        self.tokens = dict(tokens or {})
        if not self.tokens:
            logger.error("REST channel: no integration tokens (MELDWIJZER_REST_TOKENS); every "
                         "request is refused")

    def integration_of(self, request: Request) -> Optional[str]:
        """The integration whose token the request carries, or None."""
        given = request.headers.getall("authorization", [])
        if len(given) != 1:
            return None
        scheme, _, token = given[0].strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        found = None
        for known, name in self.tokens.items():  # every token compared, in constant time each
            if hmac.compare_digest(token.strip().encode(), known.encode()):
                found = name
        return found

    def user_of(self, request: Request) -> Any:
        if not request.headers.get("authorization"):
            return refused(401, "Deze koppeling heeft geen toegang: het token ontbreekt.",
                           headers={"WWW-Authenticate": "Bearer"})
        integration = self.integration_of(request)
        if integration is None:
            return refused(403, "Deze koppeling heeft geen toegang: het token klopt niet.")
        sender = request.json.get("sender")
        if sender in (None, ""):
            return integration
        if not isinstance(sender, str) or not SAFE_NAME.match(sender):
            return refused(400, "'sender' mag alleen letters, cijfers, '_', '.' en '-' hebben "
                                "(hoogstens 128).")
        return f"{integration}/{sender}"


class TelegramRelayInput(OwnChannelRest):
    """Messages relayed by the Telegram bot process; sender = Telegram user id."""

    @classmethod
    def name(cls) -> Text:
        return "telegram"

    def user_of(self, request: Request) -> Any:
        sender = request.json.get("sender")
        if not isinstance(sender, str) or not TELEGRAM_USER.match(sender):
            return refused(400, "Geen Telegram-gebruiker.")
        return sender

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        relay = super().blueprint(on_new_message)

        # Blueprint middleware runs for every route of this channel, whatever the spelling of
        # the path (Sanic also routes `/webhook/` to `/webhook`) or the method.
        secret = relay_secret()  # read once, when the server starts (bot/run_server.sh made it)

        @relay.middleware("request")
        async def only_the_relay(request: Request):  # type: ignore[no-untyped-def]
            given = request.headers.get(RELAY_HEADER, "")
            if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
                return response.json({"error": "relay secret missing or wrong"}, status=403)
            return None

        return relay
