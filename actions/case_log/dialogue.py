"""The case log in the dialogue: open a case, write what happens as it happens.

Writes that fail (database unreachable, no key) are kept in the slot `case_pending` and
written first at the next step; the user is told plainly that this step was not saved yet.
Free text in a pending write stays in the tracker only until it is written.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from ..school_profile import load_profile_or_none
from .crypto import KeyMissing
from .store import Actor, CaseLogUnavailable, CaseNotVisible, CaseStore, utcnow

logger = logging.getLogger(__name__)

CASE_SLOT = "case_code"
PENDING_SLOT = "case_pending"
SAVED_MARK = "(vastgelegd in de casus)"  # what the route keeps of a free-text answer once saved


def reviewers() -> Tuple[str, ...]:
    """MELDWIJZER_REVIEWERS (comma-separated channel:user ids) or the school profile's list."""
    configured = os.environ.get("MELDWIJZER_REVIEWERS")
    if configured is not None:
        return tuple(r.strip() for r in configured.split(",") if r.strip())
    profile = load_profile_or_none()
    return profile.reviewers if profile else ()


@lru_cache(maxsize=1)
def _store(url: Optional[str], reviewer_ids: Tuple[str, ...]) -> CaseStore:
    return CaseStore(url, reviewers=reviewer_ids)


def get_store() -> CaseStore:
    return _store(os.environ.get("MELDWIJZER_DB_URL"), reviewers())


def actor_of(tracker: Tracker) -> Actor:
    channel = tracker.get_latest_input_channel() or "rest"
    return Actor(channel, tracker.sender_id)


async def in_thread(function, *args):
    """Blocking database work off the action server's event loop (rasa-sdk runs one loop)."""
    return await asyncio.get_running_loop().run_in_executor(None, function, *args)


def open_write(route_entry: int, now: Optional[dt.datetime] = None) -> Dict[str, Any]:
    return {"op": "open", "at": (now or utcnow()).isoformat(), "route_entry": route_entry}


@dataclass
class WriteResult:
    code: Optional[str]
    opened: bool = False
    remaining: List[Dict[str, Any]] = field(default_factory=list)
    failed: bool = False


async def record(tracker: Tracker, dispatcher: CollectingDispatcher,
                 writes: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Write `writes` (after anything still pending) to the conversation's case, and say the
    code of a case that was opened. An "open" write starts a new case. Returns the slots to
    set (case code, what is still pending)."""
    pending = list(tracker.get_slot(PENDING_SLOT) or [])
    queue = pending + list(writes)
    if not queue:
        return {}
    result = await in_thread(write_now, queue, tracker.get_slot(CASE_SLOT), actor_of(tracker))
    if result.opened:
        dispatcher.utter_message(response="utter_case_opened", case_code=result.code)
    if result.failed:
        dispatcher.utter_message(response="utter_case_not_saved")
    elif pending:
        dispatcher.utter_message(response="utter_case_saved_later", case_code=result.code)
    return {PENDING_SLOT: result.remaining or None, CASE_SLOT: result.code}


def slot_events(slots: Dict[str, Any]) -> List[EventType]:
    return [SlotSet(name, value) for name, value in slots.items()]


def write_now(queue: List[Dict[str, Any]], code: Optional[str], actor: Actor) -> WriteResult:
    """Blocking part (runs in a thread): opens and writes in order until something fails.
    Each `apply` is all or nothing, so `remaining` is exactly what was not written."""
    result = WriteResult(code)
    writes = list(queue)
    try:
        store = get_store()
        while writes:
            if writes[0].get("op") == "open":
                profile = load_profile_or_none()
                result.code = store.open_case(
                    actor, profile.id if profile else "onbekend",
                    casushouder=profile.casushouder if profile else None,
                    route_entry=writes[0].get("route_entry"),
                    at=dt.datetime.fromisoformat(writes[0]["at"]))
                result.opened = True
                writes = writes[1:]
                continue
            cut = next((i for i, w in enumerate(writes) if w.get("op") == "open"), len(writes))
            if result.code is None:  # no case yet in this conversation: open one first
                writes.insert(0, open_write(1))
                continue
            store.apply(result.code, actor, writes[:cut])
            writes = writes[cut:]
    except (CaseLogUnavailable, KeyMissing) as error:
        logger.warning("case log: not saved (%s)", type(error).__name__)
        result.failed = True
    except CaseNotVisible:
        logger.error("case log: the conversation's case is not this user's")
        result.failed = True
    result.remaining = writes
    return result
