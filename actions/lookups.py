"""Actions for quick look-ups: the sociale kaart, the clock, and a question asked in passing."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from .office_hours import is_after_hours, says_after_hours
from .school_profile import Contact, SchoolProfile, load_profile_or_none


# A FAQ answer is added after the safety-net guidance only when the selector is this sure.
FAQ_CONFIDENCE = 0.5
# The response selector is unsure between two answers when the best is below this and the
# second has at least half its confidence: then both are given ("eerst met de ouders praten?"
# and "melden zonder oudergesprek" are close), rather than one confident wrong answer.
UNSURE_ANSWER = 0.6


def format_contact(contact: Contact) -> str:
    lines = [contact.name + (f": {contact.phone}" if contact.phone else "")]
    if contact.person:
        lines.append(f"Contactpersoon: {contact.person}")
    if contact.reach:
        lines.append(contact.reach)
    if contact.hours:
        lines.append(f"Bereikbaar: {contact.hours}")
    lines.append(contact.when)
    return "\n".join(lines)


def format_overview(profile: SchoolProfile) -> str:
    lines = [f"Dit zijn de contacten in de sociale kaart van {profile.name}:"]
    for contact in profile.contacts.values():
        detail = contact.phone or (contact.person or "via de IB'er")
        lines.append(f"• {contact.name}: {detail}")
    lines.append("Vraag naar één contact voor meer uitleg, bijvoorbeeld 'wie is onze wijkagent'.")
    return "\n".join(lines)


class ActionSocialMap(Action):
    def name(self) -> Text:
        return "action_social_map"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        profile = load_profile_or_none()
        if profile is None:
            dispatcher.utter_message(response="utter_contacts_unavailable")
            return []
        wanted = next(tracker.get_latest_entity_values("contact"), None)
        if wanted is not None and not isinstance(wanted, str):
            # Only a typed payload ('/ask_contact{"contact": {...}}') gives anything else.
            wanted = str(wanted)
        if wanted is None:
            dispatcher.utter_message(text=format_overview(profile))
        elif wanted in profile.contacts:
            dispatcher.utter_message(text=format_contact(profile.contacts[wanted]))
        else:
            dispatcher.utter_message(response="utter_contact_unknown")
        return [SlotSet("contact", None)]


class ActionCheckAfterHours(Action):
    def name(self) -> Text:
        return "action_check_after_hours"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        profile = load_profile_or_none()
        now = dt.datetime.now(dt.timezone.utc)
        # Without a profile we cannot know the school's hours: give the 24/7 route.
        after_hours = True if profile is None else is_after_hours(now, profile)
        # The user's own words count too: "het is zaterdag", "'s nachts" (actions/office_hours.py).
        return [SlotSet("after_hours", after_hours or says_after_hours(recent_user_texts(tracker)))]


class ActionChildSafetyCheck(Action):
    """A message about a child or home that nothing placed: "Gaat dit over de veiligheid van
    een kind?" with buttons and the two numbers; after hours the 24/7 words first."""

    def name(self) -> Text:
        return "action_child_safety_check"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        [after_hours] = ActionCheckAfterHours().run(dispatcher, tracker, domain)
        late = after_hours["value"]
        dispatcher.utter_message(response="utter_child_safety_check_after_hours" if late else "utter_child_safety_check")
        return [after_hours]


def recent_user_texts(tracker: Tracker, count: int = 3) -> List[str]:
    """The user's last few typed messages (a button's payload is not something they wrote)."""
    texts: List[str] = []
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            text = event.get("text") or ""
            if text and not text.startswith("/"):
                texts.append(text)
            if len(texts) >= count:
                break
    return texts


def faq_response(parse: Dict[str, Any], min_confidence: float) -> Optional[str]:
    """The FAQ answer (utter_faq/...) the response selector chose, if it is sure enough."""
    selected = (parse.get("response_selector") or {}).get("default", {})
    response = selected.get("response") or {}
    if (response.get("confidence") or 0) >= min_confidence:
        return response.get("utter_action")
    return None


def close_second_answer(parse: Dict[str, Any]) -> Optional[str]:
    """The second FAQ answer (utter_faq/...) when the selector could not tell it from the first."""
    ranking = ((parse.get("response_selector") or {}).get("default", {}) or {}).get("ranking") or []
    if len(ranking) < 2:
        return None
    first, second = ranking[0].get("confidence") or 0.0, ranking[1].get("confidence") or 0.0
    key = str(ranking[1].get("intent_response_key") or "")
    if first < UNSURE_ANSWER and second >= first / 2 and key.startswith("faq/"):
        return "utter_" + key
    return None


# A question that first describes a child ("... moet ik hier iets mee?") is a worry too, and so
# is a short one that asks what to do with what was seen ("kind slaapt elke dag in de klas,
# moet ik wat?", "valt vies ruiken onder de meldcode?").
DESCRIBES_A_CASE_WORDS = 20
ASKS_ABOUT_A_CASE = re.compile(
    r"\b(moet|moeten|kan|kunnen|zal|zullen|ga) (ik|we|wij|je) (hier|hiermee|daar|daarmee|er|nu)? ?(iets|wat|actie)\b"
    r"|\bvalt (\w+ ){1,5}onder (de )?meldcode|\b(zie ik spoken|overdrijf ik|is dit (normaal|niks|een signaal))\b",
    re.IGNORECASE)


class ActionFaqSecondAnswer(Action):
    """After a FAQ answer (a domain response: it needs no action server): the close second one,
    and, when the question describes a worry about a child, the offer to go through the steps."""

    def name(self) -> Text:
        return "action_faq_second_answer"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        parse = tracker.latest_message or {}
        second = close_second_answer(parse)
        if second:
            dispatcher.utter_message(text="Misschien bedoel je ook dit:")
            dispatcher.utter_message(response=second)
        text = parse.get("text") or ""
        describes = len(text.split()) >= DESCRIBES_A_CASE_WORDS or bool(ASKS_ABOUT_A_CASE.search(text))
        if describes and (parse.get("safety_net") or {}).get("concern") and tracker.active_loop_name is None:
            # A worry described outside school time: the 24/7 numbers first, as for any worry.
            [after_hours] = ActionCheckAfterHours().run(dispatcher, tracker, domain)
            if after_hours["value"]:
                dispatcher.utter_message(response="utter_after_hours")
            dispatcher.utter_message(response="utter_offer_route")
            return [after_hours]
        return []


class ActionAnswerQuestionToo(Action):
    """After the safety-net guidance: if the message was really a FAQ question, answer it too.
    Outside a form, then offer the route, so the guidance is never a dead end (a typed "ja"
    to the offer starts it: data/stories/rules.yml)."""

    def name(self) -> Text:
        return "action_answer_question_too"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        parse = tracker.latest_message or {}
        classifier_intent = (parse.get("safety_net") or {}).get("classifier_intent")
        if classifier_intent == "faq":
            utter_action = faq_response(parse, FAQ_CONFIDENCE)
            if utter_action:
                dispatcher.utter_message(response=utter_action)
        if tracker.active_loop_name is None:
            dispatcher.utter_message(response="utter_offer_route")
        return []
