"""How long a message may be, in every channel, and what the user reads when it is longer.

The Rasa server reads one message at a time: while the model reads a very long message, every
other user waits, also for the emergency guidance. So a message over MAX_MESSAGE_CHARS is not
read at all; the user is asked to send it in shorter parts (TOO_LONG, with the emergency
numbers). A long worried story is 1,500-3,000 characters; Telegram itself allows 4,096, so a
Telegram message is never refused for its length. At the cap a message takes well under a second.

Nor is a message with a "word" (characters without a space) over MAX_WORD_CHARS read
(WORD_TOO_LONG): spaCy's tokenizer splits such a run one punctuation mark or emoji at a time,
reading the rest of the run again each time, so its cost grows with the square of the run's
length (4,096 question marks: 1.5 s; runs of 500: 0.05 s for a whole message at the cap).
A long link still fits.

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
MAX_WORD_CHARS = 500
MAX_BODY_BYTES = 16 * MAX_MESSAGE_CHARS
TOO_LONG = ("Je bericht is te lang: ik lees berichten tot 4.096 tekens. Stuur je verhaal in kortere "
            "stukken. Zet in het eerste stuk wat het dringendst is, zoals gevaar voor een kind.\n"
            "Direct gevaar? Bel 112. Veilig Thuis: 0800-2000 (gratis, 24/7).")
WORD_TOO_LONG = ("Je bericht heeft een heel lang stuk tekst zonder spaties (meer dan 500 tekens). "
                 "Dat kan ik niet lezen. Haal het weg en stuur je bericht opnieuw.\n"
                 "Direct gevaar? Bel 112. Veilig Thuis: 0800-2000 (gratis, 24/7).")


def refusal(text: str) -> Optional[str]:
    """TOO_LONG or WORD_TOO_LONG when `text` is not to be read, else None."""
    if len(text) > MAX_MESSAGE_CHARS:
        return TOO_LONG
    if any(len(word) > MAX_WORD_CHARS for word in text.split()):
        return WORD_TOO_LONG
    return None


def within_limit(on_new_message: Callable[[UserMessage], Awaitable[Any]]
                 ) -> Callable[[UserMessage], Awaitable[Any]]:
    """`on_new_message` for messages within the caps; another gets the `refusal` instead."""

    async def handle(message: UserMessage) -> Any:
        answer = refusal(message.text or "")
        if answer is not None:
            logger.info("%s: a message over the length caps was not read", message.input_channel)
            await message.output_channel.send_text_message(message.sender_id, answer)
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
