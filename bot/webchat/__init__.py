"""The Teams-style web chat: one page served by the Rasa server itself, as a channel.

credentials.yml names `bot.webchat.WebChatInput`; Rasa then serves, under /webhooks/webchat/:
  GET  /            the page (Dutch, keyboard and screen reader friendly, phone-sized)
  GET  /static/...  its script, style sheet and the neutral page that "Snel weg" opens
  POST /webhook     {"sender": "...", "message": "..."} -> Rasa's replies (like the REST channel;
                    a message or body over the caps of bot/limits.py is answered, not read)
  POST /reminders   {"sender": "..."} -> due follow-ups of this web chat user, from the case log
                    (shown once)
Both posts must be JSON (Content-Type: application/json): a page on another site cannot make a
browser send them as a form or as plain text.

Every response forbids loading anything from another host (Content-Security-Policy) and
caching; the page keeps no message text in the browser.

Who is the user? By default a random id per browser tab (the page makes it): conversation
"webchat:web-<32 hex>". A school that signs staff in on its intranet puts a reverse proxy in
front and names the header that carries the signed-in user in MELDWIJZER_WEBCHAT_USER_HEADER
(e.g. X-Forwarded-User, as oauth2-proxy sets it); the channel then takes the user from that
header only (conversation "webchat:user-<login>") and refuses requests without it. Anyone who
reaches the server directly could set that header too, so the request must also prove that it
came through the proxy: the proxy's secret in the header X-Meldwijzer-Proxy
(MELDWIJZER_WEBCHAT_PROXY_SECRET) and/or the proxy's own address as the TCP peer
(MELDWIJZER_WEBCHAT_PROXY_ADDRESSES, comma-separated addresses or networks; X-Forwarded-For is
not looked at). With both set, both must hold. A user header without either proof: every
request is refused. A user header with more than one value or with a comma (a proxy that
appends to what the browser sent) is refused.
"""
from __future__ import annotations

import asyncio
import hmac
import ipaddress
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

from bot.channels import EMERGENCY, clean_text, conversation_id, is_json, never_silent
from bot.host_check import guard
from bot.limits import limit_body, within_limit

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
FILES = {"chat.js": "text/javascript", "chat.css": "text/css", "exit.html": "text/html"}
TAB_ID = re.compile(r"^web-[0-9a-f]{32}$")
LOGIN = re.compile(r"^[\w.@+\\-]{1,200}$")  # a sign-in name or e-mail address; never a comma
PROXY_HEADER = "X-Meldwijzer-Proxy"
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


def proxy_networks(configured: Optional[str]) -> List[Any]:
    """MELDWIJZER_WEBCHAT_PROXY_ADDRESSES: "10.0.0.5, 192.168.1.0/24" -> networks."""
    networks = []
    for item in (configured or "").split(","):
        if item.strip():
            try:
                networks.append(ipaddress.ip_network(item.strip(), strict=False))
            except ValueError:
                logger.error("webchat: MELDWIJZER_WEBCHAT_PROXY_ADDRESSES: %r is no address; left out",
                             item.strip()[:50])
    return networks


def one_value(request: Request, header: str) -> Optional[str]:
    """The header's value if it was sent exactly once and has no comma, else None."""
    values = request.headers.getall(header, [])
    if len(values) != 1 or "," in values[0]:
        return None
    return values[0].strip()


class WebChatInput(InputChannel):
    """The web chat's channel: the page, its messages and its reminders."""

    @classmethod
    def name(cls) -> Text:
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WebChatInput":
        credentials = credentials or {}
        header = os.environ.get("MELDWIJZER_WEBCHAT_USER_HEADER") or credentials.get("user_header")
        return cls(user_header=header or None,
                   proxy_secret=os.environ.get("MELDWIJZER_WEBCHAT_PROXY_SECRET") or None,
                   proxy_addresses=proxy_networks(os.environ.get("MELDWIJZER_WEBCHAT_PROXY_ADDRESSES")))

    def __init__(self, user_header: Optional[str] = None, proxy_secret: Optional[str] = None,
                 proxy_addresses: Optional[List[Any]] = None) -> None:
        self.user_header = user_header
        self.proxy_secret = proxy_secret.strip() if proxy_secret else None
        self.proxy_addresses = list(proxy_addresses or [])
        # A user header that nothing proves: the channel refuses every request (and says why).
        self.unproven_proxy = bool(user_header and not (self.proxy_secret or self.proxy_addresses))
        if self.unproven_proxy:
            logger.error("webchat: MELDWIJZER_WEBCHAT_USER_HEADER is set, but nothing proves that a "
                         "request came through the proxy: set MELDWIJZER_WEBCHAT_PROXY_SECRET and/or "
                         "MELDWIJZER_WEBCHAT_PROXY_ADDRESSES. Until then every request is refused.")

    def through_the_proxy(self, request: Request) -> bool:
        """Whether the request proves it came through the sign-in proxy (see the module docstring)."""
        if self.unproven_proxy:
            return False
        if self.proxy_secret:
            given = one_value(request, PROXY_HEADER) or ""
            if not hmac.compare_digest(given.encode(), self.proxy_secret.encode()):
                return False
        if self.proxy_addresses:
            try:
                peer = ipaddress.ip_address(request.ip)
            except ValueError:
                return False
            if not any(peer in network for network in self.proxy_addresses):
                return False
        return True

    def user_of(self, request: Request, claimed: Optional[str]) -> Optional[str]:
        """The conversation's user: the proxy's header when configured (and the request proves
        it came through the proxy), else the tab's id. None: refused."""
        if self.user_header:
            if not self.through_the_proxy(request):
                return None
            value = one_value(request, self.user_header)
            return f"user-{value}" if value and LOGIN.match(value) else None
        return claimed if isinstance(claimed, str) and TAB_ID.match(claimed) else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webchat = guard(limit_body(Blueprint("webchat_page", __name__), security_headers))
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
            if not is_json(request):
                return refusal(415, f"Deze chat stuurt alleen JSON. {EMERGENCY}")
            if self.unproven_proxy:
                return refusal(503, "De aanmelding van deze chat is nog niet goed ingesteld. Meld het "
                                    f"bij je ICT'er. {EMERGENCY}")
            body = request.json if isinstance(request.json, dict) else {}
            user = self.user_of(request, body.get("sender"))
            if user is None:
                return refusal(403, "Deze chat kent je niet. Open de pagina opnieuw. "
                                    "Direct gevaar? Bel 112. Veilig Thuis: 0800-2000.")
            sender = conversation_id(self.name(), user)
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

        @webchat.route("/reminders", methods=["POST"])
        async def reminders(request: Request) -> HTTPResponse:
            if not is_json(request):
                return response.json([], status=415, headers=security_headers())
            body = request.json if isinstance(request.json, dict) else {}
            user = self.user_of(request, body.get("sender"))
            if user is None:
                return response.json([], status=403, headers=security_headers())
            texts = await due_reminders(self.name(), user)
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
