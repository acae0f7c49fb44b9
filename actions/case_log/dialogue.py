"""The case log in the dialogue: open a case, write what happens as it happens.

Writes that fail (database unreachable, no key) are kept in the slot `case_pending` and
written first at the next step; the user is told plainly that this step was not saved yet.
Free text in a pending write stays in the tracker only until it is written. Each pending write
carries who made it ("by"): it is written only for that actor, and dropped for anyone else.

Who is the user? The conversation id says it: every input channel names its conversations
"<channel>:<user>" (bot/channels.py, bot/webchat, bot/teams.py; `rasa shell` gets
"cmdline:<terminal id>" from bot/run_chat.sh). `actor_of` takes that id only when its channel
is the channel the latest message came in on; otherwise this conversation has no case access.
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

from ..school_profile import ProfileError, check_reviewer, load_profile_or_none
from .crypto import KeyMissing
from .store import Actor, CaseLogUnavailable, CaseNotVisible, CaseStore, utcnow

logger = logging.getLogger(__name__)

CASE_SLOT = "case_code"
PENDING_SLOT = "case_pending"
SAVED_MARK = "(vastgelegd in de casus)"  # what the route keeps of a free-text answer once saved
UNPROVEN = ("Ik weet in dit kanaal niet zeker wie je bent, dus hier open of toon ik geen casus. "
            "Gebruik Meldwijzer via je eigen kanaal (Telegram, de webchat of Teams).\n"
            "Direct gevaar? Bel 112. Veilig Thuis: 0800-2000 (gratis, 24/7).")


class IdentityUnproven(LookupError):
    """The conversation's id does not prove who the user is: no case access."""


def reviewers() -> Tuple[str, ...]:
    """MELDWIJZER_REVIEWERS (comma-separated channel:user ids) or the school profile's list.
    An id on a channel that does not prove who someone is (check_reviewer) is left out, logged."""
    configured = os.environ.get("MELDWIJZER_REVIEWERS")
    if configured is not None:
        kept = []
        for reviewer in (r.strip() for r in configured.split(",") if r.strip()):
            try:
                kept.append(check_reviewer(reviewer, "MELDWIJZER_REVIEWERS"))
            except ProfileError as error:
                logger.error("%s", error)
        return tuple(kept)
    profile = load_profile_or_none()
    return profile.reviewers if profile else ()


@lru_cache(maxsize=1)
def _store(url: Optional[str], reviewer_ids: Tuple[str, ...]) -> CaseStore:
    return CaseStore(url, reviewers=reviewer_ids)


def get_store() -> CaseStore:
    return _store(os.environ.get("MELDWIJZER_DB_URL"), reviewers())


def actor_of(tracker: Tracker) -> Actor:
    """The user, from the conversation id "<channel>:<user>"; raises IdentityUnproven unless
    the latest message came in on that channel."""
    try:
        actor = Actor.parse(tracker.sender_id or "")
    except ValueError:
        actor = None
    if actor is None or actor.channel != tracker.get_latest_input_channel():
        logger.warning("case log: conversation id and input channel do not match; no case access")
        raise IdentityUnproven()
    return actor


def proven_actor(tracker: Tracker, dispatcher: CollectingDispatcher) -> Optional[Actor]:
    """`actor_of`, or None after telling the user that this conversation has no case access."""
    try:
        return actor_of(tracker)
    except IdentityUnproven:
        dispatcher.utter_message(text=UNPROVEN)
        return None


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


def pending_of(tracker: Tracker, actor: Actor) -> List[Dict[str, Any]]:
    """The pending writes `actor` made (without their "by"); anyone else's are dropped."""
    pending = tracker.get_slot(PENDING_SLOT) or []
    own = [w for w in pending if isinstance(w, dict) and w.get("by") == actor.id]
    if len(own) != len(pending):
        logger.warning("case log: %d pending write(s) of another user dropped", len(pending) - len(own))
    return [{k: v for k, v in w.items() if k != "by"} for w in own]


async def record(tracker: Tracker, dispatcher: CollectingDispatcher,
                 writes: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Write `writes` (after anything this user still has pending) to the conversation's case,
    and say the code of a case that was opened. An "open" write starts a new case. Returns the
    slots to set (case code, what is still pending)."""
    actor = proven_actor(tracker, dispatcher)
    if actor is None:  # nothing written, nothing kept for later
        return {PENDING_SLOT: None, CASE_SLOT: None}
    pending = pending_of(tracker, actor)
    queue = pending + list(writes)
    if not queue:
        return {PENDING_SLOT: None} if tracker.get_slot(PENDING_SLOT) else {}
    result = await in_thread(write_now, queue, tracker.get_slot(CASE_SLOT), actor)
    if result.opened:
        dispatcher.utter_message(response="utter_case_opened", case_code=result.code)
    if result.failed:
        dispatcher.utter_message(response="utter_case_not_saved")
    elif pending:
        dispatcher.utter_message(response="utter_case_saved_later", case_code=result.code)
    remaining = [{**w, "by": actor.id} for w in result.remaining]
    return {PENDING_SLOT: remaining or None, CASE_SLOT: result.code}


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
