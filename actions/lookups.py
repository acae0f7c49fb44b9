"""Actions for quick look-ups: the sociale kaart, the clock, and a question asked in passing."""
from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from .office_hours import is_after_hours
from .school_profile import Contact, SchoolProfile, load_profile_or_none


# A FAQ answer is added after the safety-net guidance only when the selector is this sure.
FAQ_CONFIDENCE = 0.5


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
        return [SlotSet("after_hours", after_hours)]


def faq_response(parse: Dict[str, Any], min_confidence: float) -> Optional[str]:
    """The FAQ answer (utter_faq/...) the response selector chose, if it is sure enough."""
    selected = (parse.get("response_selector") or {}).get("default", {})
    response = selected.get("response") or {}
    if (response.get("confidence") or 0) >= min_confidence:
        return response.get("utter_action")
    return None


class ActionAnswerQuestionToo(Action):
    """After the safety-net guidance: if the message was really a FAQ question, answer it too."""

    def name(self) -> Text:
        return "action_answer_question_too"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        parse = tracker.latest_message or {}
        classifier_intent = (parse.get("safety_net") or {}).get("classifier_intent")
        if classifier_intent != "faq":
            return []
        utter_action = faq_response(parse, FAQ_CONFIDENCE)
        if utter_action:
            dispatcher.utter_message(response=utter_action)
        return []
