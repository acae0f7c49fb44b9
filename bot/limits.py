"""How long a message may be, in every channel, and what the user reads when it is longer.

The Rasa server reads one message at a time: while the model reads a very long message, every
other user waits, also for the emergency guidance. So a message over MAX_MESSAGE_CHARS is not
read at all; the user is asked to send it in shorter parts (TOO_LONG, with the emergency
numbers). A long worried story is 1,500-3,000 characters; Telegram itself allows 4,096, so a
Telegram message is never refused. At the cap the whole message takes well under a second.

A request body over MAX_BODY_BYTES is refused with HTTP 413 by Sanic itself, before it is read:
one message at the cap fits even with every character written as a JSON escape ("\\ud83d\\ude00"
is 12 bytes for one emoji).
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, response
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 4096
MAX_BODY_BYTES = 16 * MAX_MESSAGE_CHARS
TOO_LONG = ("Je bericht is te lang: ik lees berichten tot 4.096 tekens. Stuur je verhaal in kortere "
            "stukken. Zet in het eerste stuk wat het dringendst is, zoals gevaar voor een kind.\n"
            "Direct gevaar? Bel 112. Veilig Thuis: 0800-2000 (gratis, 24/7).")


def within_limit(on_new_message: Callable[[UserMessage], Awaitable[Any]]
                 ) -> Callable[[UserMessage], Awaitable[Any]]:
    """`on_new_message` for messages up to the cap; a longer one gets TOO_LONG instead."""

    async def handle(message: UserMessage) -> Any:
        if len(message.text or "") > MAX_MESSAGE_CHARS:
            logger.info("%s: a message over %d characters was not read",
                        message.input_channel, MAX_MESSAGE_CHARS)
            await message.output_channel.send_text_message(message.sender_id, TOO_LONG)
            return None
        return await on_new_message(message)

    return handle


def limit_body(blueprint: Blueprint,
               headers: Optional[Callable[[], Dict[str, str]]] = None) -> Blueprint:
    """The blueprint's routes refuse a body over MAX_BODY_BYTES (413, TOO_LONG as a reply,
    with `headers()`), before reading it."""

    @blueprint.signal("http.routing.after")
    async def small_bodies_only(request: Request, route: Any, **_: Any) -> None:
        # Sanic sends this for every route, after routing and before it reads the body.
        if route in blueprint.routes and request.stream is not None:
            request.stream.request_max_size = MAX_BODY_BYTES

    @blueprint.exception(PayloadTooLarge)
    async def too_large(request: Request, error: Exception) -> HTTPResponse:
        return response.json([{"recipient_id": None, "text": TOO_LONG}], status=413,
                             headers=headers() if headers else None)

    return blueprint
