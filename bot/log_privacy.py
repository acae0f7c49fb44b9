"""No conversation text in the Rasa server's log.

Rasa 3.6 logs what a user typed in three places we cannot change at the source:
- its REST handler (rasa/core/channels/rest.py, which our REST and Telegram relay channels
  use) logs the message text with structlog when handling it times out or fails;
- structlog renders an exception's traceback with every frame's local variables (Rasa's
  JSON output: `dict_tracebacks`; in a terminal: rich), and those hold messages and trackers;
- an error answer of the action server ends up in the traceback Rasa logs when an action
  fails (`ClientResponseError: ..., body='...'`); rasa-sdk puts the whole tracker there (ours
  no longer does: actions/server_guard.py, but the log must not depend on it).

`install()` (once per process; bot/channels.py and bot/tracker_store.py call it, so it runs
whenever the Rasa server loads our plugins):
- puts a structlog processor first in Rasa's chain that replaces the values of the keys Rasa
  itself lists as conversation content (`_anonymizer` in rasa/utils/log_utils.py) and turns an
  exception into a plain traceback without local variables;
- leaves the body of an HTTP error answer out of every stdlib log record: its traceback
  (formatted here, once), its message and its arguments.
Exception messages stay (they tell IT what went wrong), except those bodies.
"""
from __future__ import annotations

import logging
import re
import sys
import traceback
from typing import Any, Dict

import structlog

REMOVED = "[weggelaten]"
# The structlog keys Rasa 3.6 marks as conversation content (rasa/utils/log_utils.py).
TEXT_KEYS = frozenset({
    "text", "response_text", "user_text", "slot_values", "parse_data_text", "parse_data_entities",
    "prediction_events", "tracker_latest_message", "prefilled_slots", "message", "response",
    "slot_candidates", "rasa_event", "rasa_events", "tracker_states", "current_states",
    "old_states", "successes", "current_entity", "next_entity", "states", "entity", "token_text",
    "user_message", "json_message",
})
# rasa.utils.endpoints.ClientResponseError (and aiohttp's) quote the answer's body last.
_BODY = re.compile(r"body=.*")

_installed = False


def plain_traceback(exc_info: Any) -> str:
    """The traceback as Python prints it (no local variables), HTTP error bodies left out."""
    if isinstance(exc_info, BaseException):
        exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
    elif not isinstance(exc_info, tuple):
        exc_info = sys.exc_info()
    if exc_info[0] is None:
        return ""
    return without_body("".join(traceback.format_exception(*exc_info))).rstrip()


def without_body(text: str) -> str:
    return _BODY.sub(f"body={REMOVED}", text)


def scrub_event(_logger: Any, _method: str, event_dict: Dict[str, Any]) -> Dict[str, Any]:
    """structlog processor: see the module docstring."""
    for key in TEXT_KEYS.intersection(event_dict):
        event_dict[key] = REMOVED
    exc_info = event_dict.get("exc_info")
    if exc_info:
        event_dict["exception"] = plain_traceback(exc_info)
    if "exc_info" in event_dict:
        event_dict["exc_info"] = False  # rendered above; no later processor renders it again
    return event_dict


def install() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    # Loggers Rasa made already hold this very list (structlog caches them on first use), so
    # the processor goes into it rather than into a new configuration.
    processors = structlog.get_config()["processors"]
    processors.insert(0, scrub_event)

    previous = logging.getLogRecordFactory()

    def plain_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = plain_traceback(record.exc_info)  # used as is by every Formatter
        # e.g. "Failed to execute custom action ... as a result of error '{e}'" (rasa/core/actions/action.py)
        if isinstance(record.msg, str) and "body=" in record.msg:
            record.msg = without_body(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(without_body(str(arg)) if isinstance(arg, BaseException) else arg
                                for arg in record.args)
        return record

    logging.setLogRecordFactory(plain_record)
