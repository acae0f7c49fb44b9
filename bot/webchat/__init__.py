"""The Teams-style web chat: one page served by the Rasa server itself, as a channel.

credentials.yml names `bot.webchat.WebChatInput`; Rasa then serves, under /webhooks/webchat/:
  GET  /            the page (Dutch, keyboard and screen reader friendly, phone-sized)
  GET  /static/...  its script, style sheet and the neutral page that "Snel weg" opens
  POST /webhook     {"sender": "...", "message": "..."} -> Rasa's replies (like the REST channel;
                    a message or body over the caps of bot/limits.py is answered, not read)
  GET  /reminders   due follow-ups of this web chat user, from the case log (shown once)

Every response forbids loading anything from another host (Content-Security-Policy) and
caching; the page keeps no message text in the browser.

Who is the user? By default a random id per browser tab (the page makes it). A school that
signs staff in on its intranet puts a reverse proxy in front and names the header that carries
the signed-in user in MELDWIJZER_WEBCHAT_USER_HEADER (e.g. X-Forwarded-User, as oauth2-proxy
sets it); the channel then takes the user from that header only and refuses requests without it.
"""
from __future__ import annotations

import asyncio
import logging
import os
import re
from asyncio import CancelledError
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import clean_text, never_silent
from bot.limits import limit_body, within_limit

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
FILES = {"chat.js": "text/javascript", "chat.css": "text/css", "exit.html": "text/html"}
TAB_ID = re.compile(r"^web-[0-9a-f]{32}$")
# Teams shows a tab inside its own pages; other sites may not frame the chat.
DEFAULT_FRAME_ANCESTORS = "'self' https://teams.microsoft.com https://*.teams.microsoft.com https://*.cloud.microsoft"


def security_headers() -> Dict[str, str]:
    frame_ancestors = os.environ.get("MELDWIJZER_WEBCHAT_FRAME_ANCESTORS", DEFAULT_FRAME_ANCESTORS)
    return {
        "Content-Security-Policy": (
            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            "img-src 'self'; base-uri 'none'; form-action 'self'; "
            f"frame-ancestors {frame_ancestors}"
        ),
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }


def refusal(status: int, text: str) -> HTTPResponse:
    return response.json([{"recipient_id": None, "text": text}], status=status, headers=security_headers())


class WebChatInput(InputChannel):
    """The web chat's channel: the page, its messages and its reminders."""

    @classmethod
    def name(cls) -> Text:
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WebChatInput":
        credentials = credentials or {}
        header = os.environ.get("MELDWIJZER_WEBCHAT_USER_HEADER") or credentials.get("user_header")
        return cls(user_header=header or None)

    def __init__(self, user_header: Optional[str] = None) -> None:
        self.user_header = user_header

    def user_of(self, request: Request, claimed: Optional[str]) -> Optional[str]:
        """The conversation's user: the proxy's header when configured, else the tab's id."""
        if self.user_header:
            value = (request.headers.get(self.user_header) or "").strip()
            return f"user-{value}" if value and len(value) <= 200 else None
        return claimed if isinstance(claimed, str) and TAB_ID.match(claimed) else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webchat = limit_body(Blueprint("webchat_page", __name__), security_headers)
        read = within_limit(on_new_message)  # a message over the cap is answered, not read

        @webchat.route("/", methods=["GET"])
        async def page(request: Request) -> HTTPResponse:
            return await response.file(STATIC / "index.html", mime_type="text/html; charset=utf-8",
                                       headers=security_headers())

        @webchat.route("/static/<name>", methods=["GET"])
        async def static(request: Request, name: str) -> HTTPResponse:
            if name not in FILES:
                return response.text("Niet gevonden", status=404, headers=security_headers())
            return await response.file(STATIC / name, mime_type=f"{FILES[name]}; charset=utf-8",
                                       headers=security_headers())

        @webchat.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body = request.json if isinstance(request.json, dict) else {}
            sender = self.user_of(request, body.get("sender"))
            if sender is None:
                return refusal(403, "Deze chat kent je niet. Open de pagina opnieuw. "
                                    "Direct gevaar? Bel 112. Veilig Thuis: 0800-2000.")
            text = clean_text(body.get("message"))
            if not isinstance(text, str):
                text = ""
            collector = CollectingOutputChannel()
            try:
                await read(UserMessage(text, collector, sender, input_channel=self.name()))
            except CancelledError:
                logger.error("webchat: a message timed out")
            except Exception:  # noqa: BLE001 - the page must still get an answer
                logger.exception("webchat: a message failed")
            # Never silence: Rasa said nothing (a crash, the action server down): see never_silent.
            replies: List[Dict[str, Any]] = await never_silent(request, sender, self.name(),
                                                               collector.messages)
            return response.json(replies, headers=security_headers())

        @webchat.route("/reminders", methods=["GET"])
        async def reminders(request: Request) -> HTTPResponse:
            sender = self.user_of(request, request.args.get("sender"))
            if sender is None:
                return response.json([], status=403, headers=security_headers())
            texts = await due_reminders(self.name(), sender)
            return response.json(texts, headers=security_headers())

        return webchat


async def due_reminders(channel: str, user: str) -> List[str]:
    """Due follow-ups and notices of one web chat user, marked as delivered once shown."""
    # The case log is imported on the first look, not when Rasa loads its channels.
    from bot.followups import take_due_for
    from actions.case_log.crypto import KeyMissing
    from actions.case_log.dialogue import get_store
    from actions.case_log.store import Actor, CaseLogUnavailable

    def work() -> List[str]:
        return take_due_for(get_store(), Actor(channel, user))

    try:
        return await asyncio.get_running_loop().run_in_executor(None, work)
    except (CaseLogUnavailable, KeyMissing) as error:
        logger.warning("webchat: reminders not available now (%s)", type(error).__name__)
        return []
