"""The guided meldcode route as one Rasa form, `meldcode_form`.

The form only collects answers and shows what the protocol says; where the route goes is
`meldcode_route.walk`, a pure function. One slot, `route_answer`, takes each answer (free
text, a typed answer or a button); validation moves it into `route_answers` (question key ->
answer) and empties it, so the form asks again and the ask action shows the next question.
`required_slots` is empty when the route waits, stops or reached a decision: the form ends
and `action_route_outcome` says what the protocol says.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from .case_log.dialogue import CASE_SLOT, PENDING_SLOT, SAVED_MARK, open_write, record, slot_events
from .case_log.export import TZ
from .case_log.route_record import parse_term, term_writes, writes_for_answer
from .case_log.store import utcnow
from .lookups import ActionChildSafetyCheck, faq_response
from .meldcode_logic import Decision, load_afwegingskader, outcome_key
from .meldcode_route import (
    AFWEGING,
    OPTIONAL_TEXT,
    STEP_QUESTIONS,
    TEXT_QUESTIONS,
    RouteState,
    Say,
    Status,
    answer_from_intent,
    apply_change,
    intro_for,
    is_closed,
    load_route_texts,
    parse_answer,
    parse_change_request,
    said_after_answer,
    walk,
)
from .meldcode_story import RECORDED_TEXT, implied, reaches_weighing, read_story, term_is_over, understood
from .personal_data import redact
from .school_profile import SchoolProfile, load_profile_or_none

logger = logging.getLogger(__name__)

FORM = "meldcode_form"
ANSWER_SLOT = "route_answer"
ANSWERS_SLOT = "route_answers"
ENTRY_SLOT = "route_entry"
ANSWER_BUTTONS = [
    {"title": "Ja", "payload": "/affirm"},
    {"title": "Nee", "payload": "/deny"},
    {"title": "Twijfel", "payload": "/doubt"},
    {"title": "Weet ik niet", "payload": "/dont_know"},
]
# A look-up asked in the middle of the route is answered when the selector is this sure.
LOOKUP_CONFIDENCE = 0.5
MAX_TEXT_ANSWER = 2000  # characters kept of one free-text answer
# At an open question, a command about the route ('verder', 'waarom?') must be recognised with
# at least this confidence; a message below it is taken as the answer (unsure_command_as_answer).
SURE_COMMAND = 0.6
SMALL_TALK = {"greet", "help", "goodbye", "thank", "bot_challenge"}
# The route's questions in order: the order in which facts from a story are filed.
ROUTE_ORDER = tuple(key for _, key in STEP_QUESTIONS) + AFWEGING
# A message this long that tells what happened is the answer to "wat heb je gezien?".
SIGNALS_MIN_WORDS = 12
# "Kleuter komt elke dag zonder ontbijt. Wat nu?": a signal and "what now?" with no route open is
# a worry (the safety net's classifier says so), not a command; "en nu?" alone is the command.
WORRY_WITH_QUESTION_MIN_WORDS = 6
STORY_MESSAGES = 4  # the user's last typed messages read when the route starts


# --- state from the tracker ----------------------------------------------------------------
def answers_of(tracker: Tracker) -> Dict[str, Any]:
    value = tracker.get_slot(ANSWERS_SLOT)
    return dict(value) if isinstance(value, dict) else {}


def entry_of(tracker: Tracker) -> Optional[int]:
    try:
        return int(tracker.get_slot(ENTRY_SLOT))
    except (TypeError, ValueError):
        return None


def state_of(tracker: Tracker) -> RouteState:
    return walk(answers_of(tracker), entry_of(tracker))


# --- words --------------------------------------------------------------------------------
def fill(text: str, profile: Optional[SchoolProfile]) -> str:
    """Fill in the school's own words; without a profile, say it in general terms."""
    ib = profile.contacts.get("ib") if profile else None
    verwijsindex = profile.verwijsindex if profile else None
    values = {
        "lvs": profile.lvs if profile else "het leerlingvolgsysteem",
        "ib": (ib.person if ib and ib.person else "via de schoolleiding"),
        "casushouder": profile.casushouder if profile else "de IB'er",
        "verwijsindex": verwijsindex or "Verwijsindex",
    }
    return text.format(**values)


def with_source(text: str, source: str) -> str:
    return f"{text}\n(Bron: {source})"


def step_title(step: int, profile: Optional[SchoolProfile]) -> str:
    plan = profile.step_plan if profile else "vijf_stappen"
    return load_route_texts().step_titles[plan][step]


def render_say(say: Say, profile: Optional[SchoolProfile], dispatcher: CollectingDispatcher) -> None:
    texts = load_route_texts()
    if say.kind == "note":
        dispatcher.utter_message(text=fill(texts.notes[say.key]["text"], profile))
    elif say.kind == "intro":
        intro = fill(texts.step_intros[say.key]["text"], profile)
        dispatcher.utter_message(text=f"{step_title(say.key, profile)}\n{intro}")
    elif say.kind == "afweging_outcome":
        dispatcher.utter_message(text=afweging_outcome_text(say.key, profile))
    elif say.kind == "after":
        item = texts.after_decision[say.key]
        dispatcher.utter_message(text=with_source(fill(item["text"], profile), item["source"]))
    elif say.kind == "explain":
        item = load_afwegingskader()["explanations"][say.key]
        dispatcher.utter_message(text=with_source(item.text, item.source))
    elif say.kind == "response":
        dispatcher.utter_message(response=say.key)


def afweging_outcome_text(key: str, profile: Optional[SchoolProfile]) -> str:
    item = load_afwegingskader()["outcomes"][key]
    text = fill(item.text, profile)
    if key == "organise_help" and profile:
        text += " " + fill(load_route_texts().after_decision["casushouder"]["text"], profile)
    return with_source(text, item.source)


def question_text(key: str) -> str:
    if key in AFWEGING:
        return load_afwegingskader()["questions"][int(key.rsplit("_", 1)[1])].text
    return load_route_texts().questions[key]["text"]


def question_reason(key: str) -> str:
    if key in AFWEGING:
        item = load_afwegingskader()["questions"][int(key.rsplit("_", 1)[1])]
        return with_source(item.why, item.source)
    item = load_route_texts().questions[key]
    return with_source(item["why"], item["source"])


def answer_lookup(tracker: Tracker, dispatcher: CollectingDispatcher, closed: bool) -> bool:
    """A meldcode question asked in passing: answer it from the FAQ. True if it was one."""
    latest = tracker.latest_message or {}
    if (latest.get("intent") or {}).get("name") != "faq":
        return False
    # At an open question a description can resemble a FAQ topic: only a real question counts.
    if not closed and not (latest.get("text") or "").strip().endswith("?"):
        return False
    response = faq_response(latest, LOOKUP_CONFIDENCE)
    if not response:
        return False
    dispatcher.utter_message(response=response)
    return True


# --- a story told in free text (actions/meldcode_story.py) ---------------------------------
def story_texts(tracker: Tracker, count: int = STORY_MESSAGES) -> List[str]:
    """The user's last typed messages, oldest first (a button's payload is not a story)."""
    texts: List[str] = []
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        text = (event.get("text") or "").strip()
        if text and not text.startswith("/"):
            texts.append(text)
        if len(texts) >= count:
            break
    return list(reversed(texts))


def earlier_texts(tracker: Tracker, text: str) -> List[str]:
    """The story's messages before this one, while afweging 2 is open (what was told before
    fills it; it never overrides an answer given)."""
    if answers_of(tracker).get("afweging_2"):
        return []
    texts = story_texts(tracker)
    return texts[:-1] if texts and texts[-1] == text else texts


def fresh_facts(answers: Dict[str, Any], facts: Dict[str, str]) -> Dict[str, str]:
    """The facts that add to or change the answers (a text answer already given stays)."""
    return {key: value for key, value in facts.items()
            if answers.get(key) != value and not (value == RECORDED_TEXT and answers.get(key) not in (None, ""))}


# A message this long that states known facts is not a bare answer ("ja, dat staat in het dossier").
RESTATED_MIN_WORDS = 4
LEADING_ANSWER = re.compile(r"^(ja|jawel|jazeker|nee|neen|nope|klopt)\b")
# "Veilig Thuis? Nee, nog niet gebeld.": the writer asks and answers a question of their own.
SELF_ANSWERED = re.compile(r"^[^?]{2,80}\?\s*(ja|jawel|nee|neen)\b")
# "vt niet gebeld, wist niet dat dat mocht": what the writer did or did not do with Veilig Thuis
# answers their own question, not one of the route's (except whether to ask it for advice).
VT_CONTACT = re.compile(r"\b(vt|veilig ?thuis)\b.{0,40}\b(gebeld|bellen|belde|gevraagd|contact|gemeld|ingeschakeld|"
                        r"geraadpleegd|raadplegen|benaderd|benaderen|called|contacted|consulted)\b"
                        r"|\b(gebeld|contact gehad|advies gevraagd|geraadpleegd|benaderd)\b.{0,20}\b(vt|veilig ?thuis)\b")
# At "Twijfelen jij of je IB'er …?" (s2_advies) Veilig Thuis is what doubt leads to: what the
# writer did with it answers the question only with a word about the doubt itself.
VT_QUESTIONS = {"s2_advies"}
DOUBT_WORDS = re.compile(r"\b(twijfel\w*|oorzaak|zeker|zorgen|doubt\w*|sure)\b")
# Facts a story states in passing (a parent named: no staff member suspected), not the point.
INCIDENTAL_FACTS = {"s1_medewerker", "s1_kindcheck"}

# What is said after an answer that still matters when a story gave several at once (the
# per-answer notes and step intros would be a wall of text): an outcome, what acute or
# structural unsafety means, skipping the parent conversation, calling Veilig Thuis in doubt.
STORY_NOTES = {"acuut_twijfel", "overslaan_veiligheid", "overslaan_vertrek", "kindcheck"}


def story_writes(answers: Dict[str, Any], entry: Optional[int], facts: Dict[str, str]):
    """Answers with the facts filed in the route's order, the case-log writes for them, and
    what to say about them."""
    current = dict(answers)
    writes: List[Dict[str, Any]] = []
    says: List[Say] = []
    now = utcnow()
    for key in ROUTE_ORDER:
        if key in facts:
            before = walk(current, entry)
            current[key] = facts[key]
            after = walk(current, entry)
            writes += writes_for_answer(before, after, key, facts[key], now)
            says += [say for say in said_after_answer(before, after, key, facts[key])
                     if say.kind in ("afweging_outcome", "after", "response", "explain")
                     or (say.kind == "note" and say.key in STORY_NOTES)]
    final = walk(current, entry).outcome
    if final is None or final.decision is not Decision.ORGANISE_HELP:
        # The story went past "organise help" (it also told how the help went): say only where it ends.
        says = [say for say in says if say.key not in ("organise_help", "utter_afweging_5_later")]
    return current, writes, says


def say_understood(dispatcher: CollectingDispatcher, facts: Dict[str, str], told_signals: bool,
                   answers: Dict[str, Any]) -> None:
    """"Ik begrijp: …" for the facts just read; `answers`: everything the route knows now."""
    lines = understood({k: v for k, v in facts.items() if k != "s1_signalen" or v == RECORDED_TEXT})
    if told_signals:
        lines.insert(0, "je beschreef wat je zag of hoorde (dat bewaar ik als de signalen)")
    if not lines:
        return
    ib_missing = answers.get("s2_ib") != "ja" and reaches_weighing(facts)
    dispatcher.utter_message(
        text="Ik begrijp:\n" + "\n".join(f"• {line}" for line in lines)
        + ("\nBespreek het ook met je IB'er, als dat nog niet gebeurd is." if ib_missing else "")
        + "\nKlopt iets niet? Zeg het gewoon, bijvoorbeeld 'de ouders zijn nog niet gesproken'.")


def marks_only(answers: Dict[str, Any], slots: Dict[str, Any]) -> Dict[str, Any]:
    """Once the case log has everything, free-text answers stay in the tracker only as marks."""
    if not slots.get(PENDING_SLOT):
        for text_key in TEXT_QUESTIONS:
            if answers.get(text_key) not in (None, "nee"):
                answers[text_key] = SAVED_MARK
    return answers


def story_facts(key: str, value: Any, tracker: Tracker,
                dispatcher: CollectingDispatcher) -> Optional[tuple]:
    """Facts a typed message tells beyond a plain answer ("oudergesprek gehad, moeder werd
    boos", "ja, we hebben een vermoeden"): (facts, told_signals), or None. A "ja" in such a
    message belongs to the fact it states, not to the open question."""
    text = str(value or "").strip()
    if not text or text.startswith("/"):
        return None
    answers = answers_of(tracker)
    facts = fresh_facts(answers, implied(answers, read_story(text, help_given=answers.get("afweging_4") == "ja",
                                                             earlier=earlier_texts(tracker, text), asked=key)))
    if not facts:
        return None
    told = False
    if key in TEXT_QUESTIONS and key not in facts:
        facts[key] = text_answer(text, dispatcher)  # the message answers the open question too
        told = key == "s1_signalen"
    return facts, told


def answer_belongs_elsewhere(key: str, text: str, tracker: Tracker) -> Optional[str]:
    """The response to give when the "ja" or "nee" in a message at a closed question belongs to
    something else, or None when it answers the question. "Veilig Thuis? Nee, nog niet gebeld"
    answers the writer's own question; "Ja, het gesprek staat ook in zijn dossier" at "Is er
    acuut gevaar?" only tells again what the route knows; "vt niet gebeld, wist niet dat dat
    mocht" at "Kan de school hulp bieden?" tells what the writer did, not whether help is possible."""
    lowered = " ".join(text.lower().split())
    answers = answers_of(tracker)
    facts = read_story(text, help_given=answers.get("afweging_4") == "ja", asked=key)
    if key in facts:
        return None
    if SELF_ANSWERED.match(lowered) or (len(lowered.split()) >= RESTATED_MIN_WORDS and VT_CONTACT.search(lowered)
                                        and (key not in VT_QUESTIONS or not DOUBT_WORDS.search(lowered))):
        return "utter_answer_buttons"
    if len(lowered.split()) >= RESTATED_MIN_WORDS and LEADING_ANSWER.match(lowered) \
            and set(facts) - INCIDENTAL_FACTS:
        return "utter_story_known"
    return None


async def file_story(tracker: Tracker, dispatcher: CollectingDispatcher, facts: Dict[str, str],
                     told_signals: bool = False) -> Dict[str, Any]:
    """File the facts a message told (several answers at once): one "Ik begrijp" message, the
    intro of a step the route moved to, the case-log writes. A story that is already at the
    weighing continues at the afwegingskader (step 4). Returns the slots to set."""
    entry = entry_of(tracker)
    before = walk(answers_of(tracker), entry)
    if reaches_weighing(facts) and entry == 1 and before.step != 4:
        entry = 4
    answers, writes, says = story_writes(answers_of(tracker), entry, facts)
    after = walk(answers, entry)
    say_understood(dispatcher, facts, told_signals, answers)
    profile = load_profile_or_none()
    if after.status is Status.ASK and after.step != before.step:
        for say in intro_for(after.step, after):  # type: ignore[arg-type]
            render_say(say, profile, dispatcher)
    for say in says:
        render_say(say, profile, dispatcher)
    logger.info("route: story filed %s, now %s %s", ",".join(sorted(facts)), after.status.value,
                after.question or after.text_key or "")
    slots = await record(tracker, dispatcher, writes)
    return {ANSWERS_SLOT: marks_only(answers, slots), ENTRY_SLOT: str(entry), **slots}


# --- the form -------------------------------------------------------------------------------
class ValidateMeldcodeForm(FormValidationAction):
    def name(self) -> Text:
        return f"validate_{FORM}"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        """The route asks one question at a time; nothing is required once it waits,
        stops or reached a decision (the form then ends)."""
        return [ANSWER_SLOT] if state_of(tracker).status is Status.ASK else []

    async def validate_route_answer(self, value: Any, dispatcher: CollectingDispatcher,
                                    tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        before = state_of(tracker)
        key = before.question
        if value is None or before.status is not Status.ASK or key is None:
            return {ANSWER_SLOT: None}  # nothing said yet (e.g. just started): just ask
        story = story_facts(key, value, tracker, dispatcher)
        if story is not None:
            return {ANSWER_SLOT: None, **(await file_story(tracker, dispatcher, *story))}
        if is_closed(key):
            elsewhere = answer_belongs_elsewhere(key, str(value or ""), tracker)
            if elsewhere is not None:
                dispatcher.utter_message(response=elsewhere)
                return {ANSWER_SLOT: None}  # asked again
        term = parse_term(str(value)) if key == "afweging_5" and not term_is_over(str(value)) else None
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        if term is not None and answer_from_intent(intent) is None and parse_answer(str(value)) is None:
            # "termijn 6 weken": the agreed term becomes a reminder; afweging 5 waits for it.
            now = utcnow()
            slots = await record(tracker, dispatcher, term_writes(term, now))
            due = (now + term).astimezone(TZ).strftime("%d-%m-%Y")
            dispatcher.utter_message(response="utter_term_noted", due=due)
            return {ANSWER_SLOT: None, **slots}
        answer = self._interpret(key, value, tracker, dispatcher)
        if answer is None:
            return {ANSWER_SLOT: None}  # asked again
        slots = await file_answer(tracker, dispatcher, before, key, answer)
        return {ANSWER_SLOT: None, **slots}

    @staticmethod
    def _interpret(key: str, value: Any, tracker: Tracker,
                   dispatcher: CollectingDispatcher) -> Optional[str]:
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        text = str(value or "").strip()
        if intent == "nlu_fallback":  # unsure: the model's best guess counts for short words
            ranking = (tracker.latest_message or {}).get("intent_ranking") or []
            intent = next((i.get("name") for i in ranking if i.get("name") != "nlu_fallback"), intent)
        if intent in SMALL_TALK | {"pause"} and len(text.split()) <= 3:
            # "menu", "hoi", "doei", an unsure "stop" is not an answer: say where we are
            # (and how to pause), ask again.
            dispatcher.utter_message(response="utter_route_hint")
            return None
        if is_closed(key):
            answer = answer_from_intent(intent) or parse_answer(text)
            if answer is not None:
                return answer.value
            if not answer_lookup(tracker, dispatcher, closed=True):
                dispatcher.utter_message(response="utter_answer_buttons")
            return None
        if answer_lookup(tracker, dispatcher, closed=False):
            return None
        if not text or text.startswith("/"):
            dispatcher.utter_message(response="utter_answer_in_words")
            return None
        if key in OPTIONAL_TEXT and intent == "deny" and len(text) <= 30:
            return "nee"
        return text_answer(text, dispatcher)


def text_answer(text: str, dispatcher: CollectingDispatcher) -> str:
    """A free-text answer as it may be stored: without a full name or a BSN."""
    kept, found = redact(text[:MAX_TEXT_ANSWER])
    if found:
        dispatcher.utter_message(response="utter_no_names_stored")
    return kept


async def file_answer(tracker: Tracker, dispatcher: CollectingDispatcher, before: RouteState,
                      key: str, answer: str) -> Dict[str, Any]:
    """File an answer: say what the protocol says after it, write it to the case log.
    Returns the slots to set. Free text stays in the tracker only until the case has it."""
    answers = answers_of(tracker)
    answers[key] = answer
    after = walk(answers, entry_of(tracker))
    profile = load_profile_or_none()
    for say in said_after_answer(before, after, key, answer):
        render_say(say, profile, dispatcher)
    logger.info("route: %s answered, now %s %s", key, after.status.value,
                after.question or after.text_key or "")
    slots = await record(tracker, dispatcher, writes_for_answer(before, after, key, answer, utcnow()))
    return {ANSWERS_SLOT: marks_only(answers, slots), **slots}


class ActionKeepRouteText(Action):
    """After the safety net inside the route: a message with danger signs at an open question
    ("wat heb je gezien?") is also the answer to it, so it is kept and the route goes on.
    The guidance itself came from domain responses before this action (no action server needed)."""

    def name(self) -> Text:
        return "action_keep_route_text"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        return await keep_as_answer(tracker, dispatcher) or []


async def keep_as_answer(tracker: Tracker, dispatcher: CollectingDispatcher) -> Optional[List[EventType]]:
    """The latest message as the answer to the open question the route is at, filed and
    written to the case log. None when no open question waits or it was a button."""
    before = state_of(tracker)
    text = ((tracker.latest_message or {}).get("text") or "").strip()
    if before.status is Status.ASK and before.question:
        story = story_facts(before.question, text, tracker, dispatcher)
        if story is not None:
            return slot_events(await file_story(tracker, dispatcher, *story))
    if before.status is not Status.ASK or before.question not in TEXT_QUESTIONS \
            or not text or text.startswith("/"):
        return None
    answer = text_answer(text, dispatcher)
    return slot_events(await file_answer(tracker, dispatcher, before, before.question, answer))


async def unsure_command_as_answer(tracker: Tracker,
                                   dispatcher: CollectingDispatcher) -> Optional[List[EventType]]:
    """'verder' and 'waarom?' are commands about the route. At an open question, a message the
    model took for one without being sure ("Gisteren bij het ophalen, moeder was er ook." as
    `resume`, 0.40) is the answer to that question: kept, never dropped in silence."""
    if tracker.active_loop_name != FORM:
        return None
    intent = (tracker.latest_message or {}).get("intent") or {}
    if (intent.get("confidence") or 0.0) >= SURE_COMMAND:
        return None
    return await keep_as_answer(tracker, dispatcher)


class ActionAskRouteAnswer(Action):
    """The question the route is at, with answer buttons for closed questions."""

    def name(self) -> Text:
        return f"action_ask_{ANSWER_SLOT}"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> List[EventType]:
        state = state_of(tracker)
        if state.question is None:
            return []
        if is_closed(state.question):
            dispatcher.utter_message(text=question_text(state.question), buttons=ANSWER_BUTTONS)
        else:
            dispatcher.utter_message(text=question_text(state.question))
        return []


class ActionExplainQuestion(Action):
    """'waarom vraag je dit?': the protocol's reason for the question being asked."""

    def name(self) -> Text:
        return "action_explain_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        text = ((tracker.latest_message or {}).get("text") or "").strip()
        if not text.endswith("?"):
            kept = await unsure_command_as_answer(tracker, dispatcher)
            if kept is not None:
                return kept
        state = state_of(tracker)
        if state.status is Status.ASK and state.question:
            dispatcher.utter_message(text=question_reason(state.question))
            if state.question == "afweging_2":
                render_say(Say("explain", 2), None, dispatcher)
        else:
            dispatcher.utter_message(response="utter_no_question_pending")
        return []


class ActionRouteOutcome(Action):
    """After the form: what the protocol says where the route waits, stops or decided."""

    def name(self) -> Text:
        return "action_route_outcome"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> List[EventType]:
        state = state_of(tracker)
        profile = load_profile_or_none()
        if state.status is Status.NOT_STARTED:
            dispatcher.utter_message(response="utter_no_route")
        elif state.status in (Status.WAIT, Status.STOPPED):
            say_wait_or_stop(state, profile, dispatcher)
            if state.status is Status.STOPPED:
                dispatcher.utter_message(response="utter_professional_decides")
        elif state.status is Status.DECIDED:
            self._decision(state, profile, dispatcher)
        return []

    @staticmethod
    def _decision(state: RouteState, profile: Optional[SchoolProfile],
                  dispatcher: CollectingDispatcher) -> None:
        texts = load_route_texts()
        outcome = state.outcome
        dispatcher.utter_message(text=afweging_outcome_text(outcome_key(outcome), profile))
        key = "melden" if outcome.decision is Decision.MELDEN else outcome.decision.value
        item = texts.after_decision[key]
        reference = texts.after_decision["verwijsindex" if profile and profile.verwijsindex
                                          else "geen_verwijsindex"]["text"]
        body = item["text"].replace("{verwijsindex}", reference)
        text = f"{step_title(5, profile)}\n{fill(body, profile)}"
        dispatcher.utter_message(text=with_source(text, item["source"]))
        if profile and profile.step_plan == "zes_stappen" and outcome.decision is not Decision.CLOSE_NO_SUSPICION:
            nazorg = texts.after_decision["nazorg"]
            dispatcher.utter_message(text=with_source(fill(nazorg["text"], profile), nazorg["source"]))
        buttons = [] if outcome.decision is Decision.CLOSE_NO_SUSPICION else texts.follow_up_buttons
        dispatcher.utter_message(response="utter_professional_decides", buttons=buttons)


def _start(entry: int, keep: Dict[str, Any]) -> List[EventType]:
    return [SlotSet(ENTRY_SLOT, str(entry)), SlotSet(ANSWERS_SLOT, keep), SlotSet(ANSWER_SLOT, None)]


class ActionStartRoute(Action):
    """A worry: the route from step 1. What the user already told (the last few messages)
    answers the questions it answers; a story that is already at the weighing starts at the
    afwegingskader (step 4)."""

    def name(self) -> Text:
        return "action_start_route"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        going_on = self._story_goes_on(tracker)
        if going_on is not None:
            return await self._continue(tracker, dispatcher, going_on)
        texts = story_texts(tracker)
        facts: Dict[str, str] = {}
        for i, text in enumerate(texts):
            # One story: a later message updates an earlier one, with what it implies.
            facts.update(read_story(text, help_given=facts.get("afweging_4") == "ja",
                                    earlier=[] if "afweging_2" in facts else texts[:i]))
        facts = implied({}, facts)
        told = False
        described = [t for t in texts if len(t.split()) >= SIGNALS_MIN_WORDS]
        if "s1_signalen" not in facts and described:
            facts["s1_signalen"] = text_answer(" / ".join(described), dispatcher)
            told = True
        entry = 4 if reaches_weighing(facts) else 1
        answers, writes, says = story_writes({}, entry, facts)
        slots = await record(tracker, dispatcher, [open_write(entry)] + writes)  # a new case, with its code
        say_understood(dispatcher, facts, told, answers)
        for say in says:
            render_say(say, load_profile_or_none(), dispatcher)
        state = walk(answers, entry)
        if state.status is Status.ASK:
            for say in intro_for(state.step or entry, state):
                render_say(say, load_profile_or_none(), dispatcher)
        return _start(entry, marks_only(answers, slots)) + slot_events(slots)


    @staticmethod
    def _story_goes_on(tracker: Tracker):
        """The same story, told on after the route's outcome ("de SMW kan hulp regelen", "het
        heeft niet gewerkt"): it continues this conversation's route and case, not a new one."""
        if entry_of(tracker) is None or not tracker.get_slot(CASE_SLOT):
            return None
        text = ((tracker.latest_message or {}).get("text") or "").strip()
        answers = answers_of(tracker)
        facts = fresh_facts(answers, implied(answers, read_story(text, help_given=answers.get("afweging_4") == "ja",
                                                                 earlier=earlier_texts(tracker, text))))
        if not any(key.startswith(("afweging_", "s2_", "s3_")) for key in facts):
            return None
        return facts

    async def _continue(self, tracker: Tracker, dispatcher: CollectingDispatcher,
                        facts: Dict[str, str]) -> List[EventType]:
        return slot_events(await file_story(tracker, dispatcher, facts))


class ActionAnswerOutsideRoute(Action):
    """"ja", "nee", "twijfel" with no question open: a correction of the story that continues
    this conversation's route ("idk of vader nou meewerkt, twijfel" after its outcome), else
    the note that no question is open."""

    def name(self) -> Text:
        return "action_answer_outside_route"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        going_on = ActionStartRoute._story_goes_on(tracker)
        if going_on is not None:
            return slot_events(await file_story(tracker, dispatcher, going_on))
        dispatcher.utter_message(response="utter_no_question_pending")
        return []


class ActionStartAfweging(Action):
    """"afwegingskader doorlopen": step 4 afresh; answers from steps 1-3 are kept."""

    def name(self) -> Text:
        return "action_start_afweging"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        keep = {k: v for k, v in answers_of(tracker).items() if k not in AFWEGING}
        state = walk(keep, entry_of(tracker))
        entry = 1 if state.status is Status.ASK and state.question == AFWEGING[0] else 4
        # Steps 1-3 done in this conversation: the same case; otherwise a new one.
        same_case = entry == 1 and tracker.get_slot(CASE_SLOT)
        writes = [{"op": "entry", "at": utcnow().isoformat(), "step": 4, "outcome": "afweging_started"}]
        slots = await record(tracker, dispatcher, writes if same_case else [open_write(4)] + writes)
        for say in intro_for(4, state if entry == 1 else walk({}, 4)):
            render_say(say, load_profile_or_none(), dispatcher)
        return _start(entry, keep) + slot_events(slots)


class ActionResumeRoute(Action):
    """'verder': back to the open question; after a wait, that question is asked again."""

    def name(self) -> Text:
        return "action_resume_route"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        from .case_actions import code_in, resume_case  # 'verder met MW-…': that case's route

        code = code_in((tracker.latest_message or {}).get("text"))
        if code:
            return await resume_case(code, tracker, dispatcher)
        kept = await unsure_command_as_answer(tracker, dispatcher)
        if kept is not None:
            return kept
        state = state_of(tracker)
        if state.status is Status.WAIT and state.question:
            answers = answers_of(tracker)
            answers.pop(state.question, None)
            return [SlotSet(ANSWERS_SLOT, answers)]
        return []


def say_wait_or_stop(state: RouteState, profile: Optional[SchoolProfile],
                     dispatcher: CollectingDispatcher) -> None:
    """What the protocol says where the route waits (first do this) or stops (go elsewhere)."""
    texts = load_route_texts()
    item = (texts.waits if state.status is Status.WAIT else texts.stops)[state.text_key]
    dispatcher.utter_message(text=with_source(fill(item["text"], profile), item["source"]))


class ActionNextStep(Action):
    """"en nu?", "hoe sluit ik af?", "wie checkt dat?": what the protocol says comes next,
    for where the route stands. At an open question the form asks it again."""

    def name(self) -> Text:
        return "action_next_step"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        state = state_of(tracker)
        text = ((tracker.latest_message or {}).get("text") or "").strip()
        if tracker.active_loop_name == FORM and state.status is Status.ASK and state.question \
                and "?" not in text:
            # "het is niet zo dat er nu meteen iets moet gebeuren" reads as "what now?" to the
            # intent model, but it answers the open question: a story's facts are filed.
            story = story_facts(state.question, text, tracker, dispatcher)
            if story is not None:
                return slot_events(await file_story(tracker, dispatcher, *story))
        profile = load_profile_or_none()
        texts = load_route_texts()
        if state.status is Status.DECIDED and state.outcome is not None:
            decision = state.outcome.decision
            key = {Decision.MELDEN: "melden", Decision.CONSULT_VT: "consult_vt",
                   Decision.ORGANISE_HELP: "organise_help"}.get(decision, "close")
            item = texts.next_steps[key]
            dispatcher.utter_message(text=with_source(fill(item["text"], profile), item["source"]))
        elif state.status is Status.ASK and state.question == "afweging_5":
            item = texts.next_steps["organise_help"]
            dispatcher.utter_message(text=with_source(fill(item["text"], profile), item["source"]))
        elif state.status in (Status.WAIT, Status.STOPPED):
            say_wait_or_stop(state, profile, dispatcher)
        elif state.status is Status.NOT_STARTED:
            latest = tracker.latest_message or {}
            if (latest.get("safety_net") or {}).get("concern") \
                    and len((latest.get("text") or "").split()) >= WORRY_WITH_QUESTION_MIN_WORDS:
                # "wie kan ik nu nog bellen?" after a description of a child: no route yet, so
                # first the question whether it is about a child's safety (24/7 after hours).
                return ActionChildSafetyCheck().run(dispatcher, tracker, domain)
            dispatcher.utter_message(response="utter_no_question_pending")
        return []


class ActionChangeAnswer(Action):
    """'bij vraag 2 bedoelde ik ja': change an earlier answer; the route is recomputed."""

    def name(self) -> Text:
        return "action_change_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        request = parse_change_request((tracker.latest_message or {}).get("text") or "")
        result = apply_change(answers_of(tracker), entry_of(tracker), request)
        if result.problem == "nothing_to_change":
            dispatcher.utter_message(response="utter_nothing_to_change")
            return []
        label = question_label(result.key)
        if result.problem == "not_answered":
            dispatcher.utter_message(text=f"{label} heb je nog niet beantwoord. Ik stel de vragen op volgorde.")
            return []
        new_value = result.answers.get(result.key)
        if new_value is None:
            dispatcher.utter_message(text=f"Goed, ik stel {label.lower()} opnieuw.")
        else:
            shown = {"weet_niet": "weet ik niet"}.get(str(new_value), str(new_value))
            dispatcher.utter_message(text=f"Aangepast: {label.lower()} is nu '{shown}'. Ik reken de route opnieuw uit.")
        before, after = state_of(tracker), walk(result.answers, entry_of(tracker))
        if new_value is None:
            writes = [{"op": "entry", "at": utcnow().isoformat(), "question": result.key,
                       "outcome": "answer_withdrawn"}]
        else:
            writes = writes_for_answer(before, after, result.key, str(new_value), utcnow(), changed=True)
        slots = await record(tracker, dispatcher, writes)
        return [SlotSet(ANSWERS_SLOT, result.answers)] + slot_events(slots)


def question_label(key: Optional[str]) -> str:
    if key and key in AFWEGING:
        return f"Afweging {key.rsplit('_', 1)[1]}"
    return "De vorige vraag"

