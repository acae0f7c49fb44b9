"""The case log's commands in the chat: 'mijn casussen', 'verder met MW-…', 'exporteer',
'sluit casus' (with a conclusion) and 'notitie toevoegen'. The store does the access checks:
only the creator of a case and the school's aandachtsfunctionaris/IB see it; anyone else
hears the same as for a code that does not exist.

Telegram is not end-to-end encrypted: what the bot sends passes Telegram's servers. So on
Telegram no action sends a case's content back (the dossier note); the replies carry case
codes and positions in the route only, as on every channel."""
from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from .case_log.crypto import KeyMissing
from .case_log.dialogue import CASE_SLOT, SAVED_MARK, get_store, in_thread, proven_actor, record, slot_events
from .case_log.export import TZ, dossier_note, local
from .case_log.store import CaseLogUnavailable, CaseNotVisible, CaseView, utcnow
from .meldcode_route import AFWEGING, STEP_OF, TEXT_QUESTIONS, Status, walk
from .personal_data import redact
from .route_form import ANSWERS_SLOT, ENTRY_SLOT, question_label as route_question_label
from .school_profile import load_profile_or_none

logger = logging.getLogger(__name__)

CODE = re.compile(r"\bMW[-\s]?(\d{4})[-\s]?(\d{1,4})\b", re.IGNORECASE)
TARGET_SLOT = "case_target"
CONCLUSION_SLOT = "case_conclusion"
NOTE_KIND_SLOT = "note_kind"
NOTE_TEXT_SLOT = "note_text"
NOTE_SOURCE_SLOT = "note_source"
MAX_NOTE = 2000
# Channels whose messages pass a third party's servers unencrypted: no case content goes there.
NO_CASE_CONTENT_CHANNELS = ("telegram",)
# source: issue 13 #11 (Telegram is not end-to-end encrypted); kept here, not in domain.yml,
# so the model need not be retrained. B1, with a next step and the emergency numbers.
NO_EXPORT_HERE = (
    "De dossiernotitie{of_case} stuur ik niet via Telegram. Telegram versleutelt berichten niet "
    "van begin tot eind. De inhoud van een casus hoort daar daarom niet.\n"
    "Wat kun je doen? Vraag je IB'er om de notitie. Die kan hem maken in de webchat van de school "
    "of met 'make export' op de server.\n"
    "Typ 'menu' voor de andere opties.\n"
    "Direct gevaar? Bel 112. Veilig Thuis: 0800-2000 (gratis, 24/7).")
# What staff type or press -> the kind of note (protocol 003: facts, hypotheses marked as
# such, the child's own words, third-party information with its source, contacts, follow-up).
NOTE_KINDS = (
    ("child_words", ("kind zelf", "woorden van het kind", "kind zei", "kind vertelde", "letterlijk")),
    ("third_party", ("ander", "derde", "derden", "ouder", "collega", "buur")),
    ("hypothesis", ("vermoeden", "hypothese", "idee", "denk")),
    ("contact", ("contact", "gesprek", "gebeld", "overleg")),
    ("follow_up", ("vervolg", "afspraak", "later")),
    ("fact", ("feit", "gezien", "gehoord", "geroken", "signaal")),
)


def code_in(text: Optional[str]) -> Optional[str]:
    match = CODE.search(text or "")
    return f"MW-{match.group(1)}-{int(match.group(2)):04d}" if match else None


def target_code(tracker: Tracker) -> Optional[str]:
    """The case named in the message, else this conversation's case."""
    return code_in((tracker.latest_message or {}).get("text")) or tracker.get_slot(CASE_SLOT)


NOT_DONE = object()  # a store call that failed; the user has been told why


async def ask_store(dispatcher: CollectingDispatcher, code: Optional[str], method: str, *args,
                    unavailable: str = "utter_case_log_unavailable") -> Any:
    """`get_store().<method>(*args)` in a thread (never on the action server's event loop).
    A case this user may not see, or an unreachable log, is said plainly: returns NOT_DONE."""
    try:
        return await in_thread(getattr(get_store(), method), *args)
    except CaseNotVisible:
        dispatcher.utter_message(response="utter_case_not_found", case_code=code)
    except (CaseLogUnavailable, KeyMissing):
        dispatcher.utter_message(response=unavailable)
    return NOT_DONE


def position_text(position: Optional[str]) -> str:
    if not position:
        return "nog niet begonnen"
    if position in STEP_OF:
        step = STEP_OF[position]
        return f"stap {step}" + (f", {route_question_label(position).lower()}" if position in AFWEGING else "")
    status, _, detail = position.partition(":")
    return {"wait": "wacht op een actie", "stopped": "route gestopt",
            "decided": "besluit genomen"}.get(status, position)


class ActionMyCases(Action):
    def name(self) -> Text:
        return "action_my_cases"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        actor = proven_actor(tracker, dispatcher)
        if actor is None:
            return []
        cases = await ask_store(dispatcher, None, "open_cases", actor)
        if cases is NOT_DONE:
            return []
        if not cases:
            dispatcher.utter_message(response="utter_no_open_cases")
            return []
        lines = [f"• {c.code}: {position_text(c.position)} (bijgewerkt {local(c.updated_at, False)})"
                 for c in cases[:10]]
        more = f"\n…en nog {len(cases) - 10}." if len(cases) > 10 else ""
        dispatcher.utter_message(text="Je open casussen:\n" + "\n".join(lines) + more +
                                 "\nTyp 'verder met' en de code om door te gaan, of 'exporteer' en de code.")
        return []


def answers_from_case(case: CaseView) -> Dict[str, Any]:
    """The route's answers as recorded: the last answer per question; free text as a mark."""
    answers: Dict[str, Any] = {}
    for entry in case.entries:
        if not entry.question:
            continue
        if entry.outcome == "answer_withdrawn":
            answers.pop(entry.question, None)
        elif entry.answer:
            answers[entry.question] = entry.answer
        elif entry.question in TEXT_QUESTIONS and entry.text:
            answers[entry.question] = SAVED_MARK
    return answers


async def resume_case(code: str, tracker: Tracker, dispatcher: CollectingDispatcher) -> List[EventType]:
    """'verder met MW-…': the route of that case, at the question where it stopped."""
    actor = proven_actor(tracker, dispatcher)
    if actor is None:
        return []
    case = await ask_store(dispatcher, code, "read_case", code, actor)
    if case is NOT_DONE:
        return []
    if case.opened_by != actor.id:  # the IB may read and export, not answer for someone else
        dispatcher.utter_message(response="utter_case_read_only", case_code=code)
        return []
    if case.status != "open":
        dispatcher.utter_message(response="utter_case_closed_already", case_code=code)
        return []
    entry = case.route_entry or 1
    answers = answers_from_case(case)
    state = walk(answers, entry)
    if state.question and state.status is Status.WAIT:
        answers.pop(state.question, None)  # as after 'verder': ask the waiting question again
    dispatcher.utter_message(response="utter_case_resumed", case_code=code)
    return [SlotSet(CASE_SLOT, code), SlotSet(ANSWERS_SLOT, answers), SlotSet(ENTRY_SLOT, str(entry))]


class ActionExportCase(Action):
    def name(self) -> Text:
        return "action_export_case"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        code = target_code(tracker)
        if tracker.get_latest_input_channel() in NO_CASE_CONTENT_CHANNELS:
            # The case is not read at all: no content, and no read in the audit table.
            dispatcher.utter_message(text=NO_EXPORT_HERE.format(of_case=f" van casus {code}" if code else ""))
            return []
        if not code:
            dispatcher.utter_message(response="utter_which_case")
            return []
        actor = proven_actor(tracker, dispatcher)
        if actor is None:
            return []
        case = await ask_store(dispatcher, code, "read_case", code, actor, "export")
        if case is NOT_DONE:
            return []
        profile = load_profile_or_none()
        dispatcher.utter_message(text=dossier_note(case, utcnow(), profile.name if profile else None))
        dispatcher.utter_message(response="utter_export_done", lvs=profile.lvs if profile else "het LVS")
        return []


class ActionPrepareClose(Action):
    """'sluit casus': which case; the form then asks for the conclusion."""

    def name(self) -> Text:
        return "action_prepare_close"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> List[EventType]:
        return [SlotSet(TARGET_SLOT, target_code(tracker)), SlotSet(CONCLUSION_SLOT, None)]


class ValidateCloseCaseForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_close_case_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        return [CONCLUSION_SLOT] if tracker.get_slot(TARGET_SLOT) else []

    def validate_case_conclusion(self, value: Any, dispatcher: CollectingDispatcher,
                                 tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return {CONCLUSION_SLOT: free_text(value, dispatcher)}


class ActionCloseCase(Action):
    def name(self) -> Text:
        return "action_close_case"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        code, conclusion = tracker.get_slot(TARGET_SLOT), tracker.get_slot(CONCLUSION_SLOT)
        reset = [SlotSet(TARGET_SLOT, None), SlotSet(CONCLUSION_SLOT, None)]
        if not code:
            dispatcher.utter_message(response="utter_which_case")
            return reset
        if not conclusion:
            return reset  # the form was left (e.g. 'stop'): nothing is closed
        actor = proven_actor(tracker, dispatcher)
        if actor is None:
            return reset
        if await ask_store(dispatcher, code, "close_case", code, actor, conclusion,
                           unavailable="utter_case_not_closed") is NOT_DONE:
            return reset
        profile = load_profile_or_none()
        days = profile.retention_days if profile else 730
        until = (utcnow() + dt.timedelta(days=days)).astimezone(TZ).strftime("%d-%m-%Y")
        dispatcher.utter_message(response="utter_case_closed", case_code=code, until=until)
        if code == tracker.get_slot(CASE_SLOT):
            reset += [SlotSet(CASE_SLOT, None), SlotSet(ANSWERS_SLOT, {}), SlotSet(ENTRY_SLOT, None)]
        return reset


def free_text(value: Any, dispatcher: CollectingDispatcher) -> Optional[str]:
    """Free text as it may be stored (no names, bounded), or None to ask again."""
    text = str(value or "").strip()
    if len(text) < 2 or text.startswith("/"):
        dispatcher.utter_message(response="utter_answer_in_words")
        return None
    kept, found = redact(text[:MAX_NOTE])
    if found:
        dispatcher.utter_message(response="utter_no_names_stored")
    return kept


def note_kind(text: str) -> Optional[str]:
    lowered = (text or "").lower()
    for kind, words in NOTE_KINDS:
        if any(word in lowered for word in words):
            return kind
    return None


class ActionPrepareNote(Action):
    def name(self) -> Text:
        return "action_prepare_note"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> List[EventType]:
        return [SlotSet(TARGET_SLOT, target_code(tracker)), SlotSet(NOTE_KIND_SLOT, None),
                SlotSet(NOTE_TEXT_SLOT, None), SlotSet(NOTE_SOURCE_SLOT, None)]


class ValidateNoteForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_note_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        if not tracker.get_slot(TARGET_SLOT):
            return []
        slots = [NOTE_KIND_SLOT, NOTE_TEXT_SLOT]
        if tracker.get_slot(NOTE_KIND_SLOT) == "third_party":
            slots.append(NOTE_SOURCE_SLOT)  # third-party information always with its source
        return slots

    def validate_note_kind(self, value: Any, dispatcher: CollectingDispatcher,
                           tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        kind = note_kind(str(value or ""))
        if kind is None:
            dispatcher.utter_message(response="utter_ask_note_kind")
        return {NOTE_KIND_SLOT: kind}

    def validate_note_text(self, value: Any, dispatcher: CollectingDispatcher,
                           tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return {NOTE_TEXT_SLOT: free_text(value, dispatcher)}

    def validate_note_source(self, value: Any, dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return {NOTE_SOURCE_SLOT: free_text(value, dispatcher)}


class ActionSaveNote(Action):
    def name(self) -> Text:
        return "action_save_note"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        code = tracker.get_slot(TARGET_SLOT)
        kind, text = tracker.get_slot(NOTE_KIND_SLOT), tracker.get_slot(NOTE_TEXT_SLOT)
        reset = [SlotSet(n, None) for n in (TARGET_SLOT, NOTE_KIND_SLOT, NOTE_TEXT_SLOT, NOTE_SOURCE_SLOT)]
        if not code:
            dispatcher.utter_message(response="utter_which_case")
            return reset
        if not (kind and text):
            return reset  # the form was left: nothing to save
        actor = proven_actor(tracker, dispatcher)
        if actor is None:
            return reset
        write = {"op": "entry", "at": utcnow().isoformat(), "kind": kind, "text": text,
                 "source": tracker.get_slot(NOTE_SOURCE_SLOT)}
        if code != tracker.get_slot(CASE_SLOT):  # a note for another of this user's cases
            if await ask_store(dispatcher, code, "apply", code, actor, [write],
                               unavailable="utter_case_not_saved") is NOT_DONE:
                return reset
            slots: Dict[str, Any] = {}
        else:
            slots = await record(tracker, dispatcher, [write])
            if slots.get("case_pending"):
                return reset + slot_events(slots)
        dispatcher.utter_message(response="utter_note_saved", case_code=code)
        return reset + slot_events(slots)
