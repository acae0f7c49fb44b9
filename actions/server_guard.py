"""Only the Rasa server may run actions, and no answer of the action server carries a conversation.

The action server trusts what it is sent: who asks (the tracker's sender) and which case. So
every call to /webhook and /actions must show the shared secret in the header
X-Meldwijzer-Action; the Rasa server sends it (endpoints.yml, `action_endpoint.headers`). The
secret: MELDWIJZER_ACTION_SECRET, else the git-ignored file var/action.secret
(MELDWIJZER_ACTION_SECRET_FILE) that bot/run_actions.sh, run_chat.sh and run_server.sh make
once. Without a secret the action server does not start. /health stays open (it says only "ok").

rasa-sdk answers an exception in an action with the whole request (the tracker: every message
and slot) in the error body, and the Rasa server writes that body into its log. Here an
exception gets a fixed answer, and the log gets the exception's type and where it happened,
not its message (which can quote what a user typed).

`guard(app)` is called from actions/__init__.py while rasa-sdk imports this package, after it
has made its Sanic app "rasa_sdk" and before it serves.
"""
from __future__ import annotations

import hmac
import logging
import traceback
from typing import Optional

from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.shared_secret import configured_secret

logger = logging.getLogger(__name__)

ACTION_HEADER = "X-Meldwijzer-Action"
MIN_SECRET_LENGTH = 16
OPEN_PATHS = ("/health",)
NO_SECRET = (
    "De action server start niet: er is geen geheim voor de Rasa-server (of het is korter dan "
    f"{MIN_SECRET_LENGTH} tekens). Zet MELDWIJZER_ACTION_SECRET, of start met 'make actions', "
    "'make chat' of 'make webchat': die maken var/action.secret. Zie README, 'Action server'."
)


def action_secret() -> Optional[str]:
    return configured_secret("MELDWIJZER_ACTION_SECRET", "var/action.secret")


def fixed_error_answer(request: Request, exception: Exception) -> HTTPResponse:
    """Sanic's own answer for HTTP errors (404, 405, ...); for anything else a fixed 500 and a
    log line with the type and the traceback's frames only."""
    if isinstance(exception, SanicException):
        return request.app.error_handler.default(request, exception)
    frames = "".join(traceback.format_tb(exception.__traceback__))
    logger.error("action server: %s while answering %s\n%s", type(exception).__name__,
                 request.path, frames.rstrip())
    return response.json({"error": "action failed"}, status=500)


def guard(app: Sanic) -> None:
    secret = action_secret()
    if not secret or len(secret) < MIN_SECRET_LENGTH:
        raise SystemExit(NO_SECRET)
    expected = secret.encode("utf-8")

    async def only_the_rasa_server(request: Request) -> Optional[HTTPResponse]:
        if request.path in OPEN_PATHS:
            return None
        given = request.headers.get(ACTION_HEADER, "").encode("utf-8")
        if hmac.compare_digest(given, expected):
            return None
        logger.warning("action server: refused a call to %s without the right %s header",
                       request.path, ACTION_HEADER)
        return response.json({"error": "forbidden"}, status=403)

    async def replace_error_answers(app: Sanic, _loop) -> None:
        # rasa-sdk registers its handler for Exception after it imports this package; a
        # handler added later for the same exception replaces it.
        app.error_handler.add(Exception, fixed_error_answer)

    app.register_middleware(only_the_rasa_server, "request")
    app.register_listener(replace_error_answers, "before_server_start")
