"""The afwegingskader as a Rasa form: questions 1-5, one at a time, per the protocol.

The form only collects answers (ja / nee / twijfel / weet ik niet) and shows outcomes; the
decision is `meldcode_logic.decide`, a pure function. Question texts, the reason behind
each question and the outcome texts come from data/meldcode/afwegingskader.yml.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from .meldcode_logic import (
    QUESTIONS,
    Answer,
    Decision,
    decide,
    load_afwegingskader,
    outcome_key,
    parse_answer,
)
from .school_profile import ProfileError, load_profile

FORM = "afweging_form"
ANSWER_BUTTONS = [
    {"title": "Ja", "payload": "/affirm"},
    {"title": "Nee", "payload": "/deny"},
    {"title": "Twijfel", "payload": "/doubt"},
    {"title": "Weet ik niet", "payload": "/dont_know"},
]


def slot_for(question: int) -> str:
    return f"afweging_{question}"


def answers_from(tracker: Tracker) -> Dict[int, Optional[Answer]]:
    return {q: parse_answer(tracker.get_slot(slot_for(q))) for q in QUESTIONS}


def _lvs() -> str:
    try:
        return load_profile().lvs
    except (OSError, ProfileError, ValueError):
        return "het leerlingvolgsysteem"


def outcome_text(key: str) -> str:
    item = load_afwegingskader()["outcomes"][key]
    return item.text.format(lvs=_lvs()) + f"\n(Bron: {item.source})"


class ValidateAfwegingForm(FormValidationAction):
    def name(self) -> Text:
        return f"validate_{FORM}"

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        """Only the questions the protocol needs: stop as soon as a decision is reached."""
        outcome = decide(answers_from(tracker))
        last = outcome.next_question or outcome.decided_at or 1
        return [slot_for(q) for q in range(1, last + 1)]

    def _validate(self, question: int, value: Any, dispatcher: CollectingDispatcher,
                  tracker: Tracker) -> Dict[Text, Any]:
        answer = parse_answer(value)
        if answer is None:
            dispatcher.utter_message(response="utter_answer_buttons")
            return {slot_for(question): None}
        answers = answers_from(tracker)
        answers[question] = answer
        outcome = decide(answers)
        if question == 1 and outcome.advice_first:
            dispatcher.utter_message(text=outcome_text("advice_first"))
        if outcome.decision is Decision.ORGANISE_HELP:
            dispatcher.utter_message(text=outcome_text("organise_help"))
            dispatcher.utter_message(response="utter_afweging_5_later")
        return {slot_for(question): answer.value}

    def validate_afweging_1(self, value, dispatcher, tracker, domain):
        return self._validate(1, value, dispatcher, tracker)

    def validate_afweging_2(self, value, dispatcher, tracker, domain):
        return self._validate(2, value, dispatcher, tracker)

    def validate_afweging_3(self, value, dispatcher, tracker, domain):
        return self._validate(3, value, dispatcher, tracker)

    def validate_afweging_4(self, value, dispatcher, tracker, domain):
        return self._validate(4, value, dispatcher, tracker)

    def validate_afweging_5(self, value, dispatcher, tracker, domain):
        return self._validate(5, value, dispatcher, tracker)


def _ask_action(question: int) -> type:
    """action_ask_afweging_N: the protocol's question, with answer buttons."""

    def name(self) -> Text:
        return f"action_ask_{slot_for(question)}"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> List[EventType]:
        item = load_afwegingskader()["questions"][question]
        dispatcher.utter_message(text=item.text, buttons=ANSWER_BUTTONS)
        return []

    return type(f"AskAfweging{question}", (Action,), {"name": name, "run": run})


# One ask action per question (rasa-sdk registers actions by class).
for _q in QUESTIONS:
    globals()[f"AskAfweging{_q}"] = _ask_action(_q)


class ActionExplainQuestion(Action):
    """'waarom vraag je dit?': the protocol's reason for the question being asked."""

    def name(self) -> Text:
        return "action_explain_question"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> List[EventType]:
        requested = tracker.get_slot("requested_slot") or ""
        if requested.startswith("afweging_"):
            item = load_afwegingskader()["questions"][int(requested.rsplit("_", 1)[1])]
            dispatcher.utter_message(text=f"{item.why}\n(Bron: {item.source})")
        else:
            dispatcher.utter_message(response="utter_no_question_pending")
        return []


class ActionAfwegingOutcome(Action):
    """After the form: the protocol's outcome for the answers given."""

    def name(self) -> Text:
        return "action_afweging_outcome"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> List[EventType]:
        outcome = decide(answers_from(tracker))
        key = outcome_key(outcome)
        if key is None or outcome.decision is Decision.ORGANISE_HELP:
            # Paused before question 5: the organise-help text was already shown.
            return []
        dispatcher.utter_message(text=outcome_text(key))
        dispatcher.utter_message(response="utter_professional_decides")
        return []


class ActionStartAfweging(Action):
    """A fresh start of the afwegingskader: forget earlier answers."""

    def name(self) -> Text:
        return "action_start_afweging"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> List[EventType]:
        return [SlotSet(slot_for(q), None) for q in QUESTIONS]
