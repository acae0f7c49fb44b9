"""Custom actions run directly with rasa-sdk's dispatcher and tracker (no server)."""
from __future__ import annotations

import asyncio
import inspect

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.lookups import ActionAnswerQuestionToo, ActionCheckAfterHours, ActionFaqSecondAnswer, ActionSocialMap


def tracker(entities=(), active_loop=None, events=(), **parse) -> Tracker:
    latest = {"intent": {"name": "ask_contact"}, "entities": list(entities), "text": "x", **parse}
    loop = {"name": active_loop} if active_loop else {}
    return Tracker("test", {}, latest, list(events), False, None, loop, "action_listen")


def run(action, tr):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tr, {})
    if inspect.iscoroutine(events):
        events = asyncio.run(events)
    return dispatcher.messages, events


def contact(value):
    return {"entity": "contact", "value": value}


def test_named_contact_gives_its_number():
    messages, _ = run(ActionSocialMap(), tracker([contact("veilig_thuis")]))
    assert "0800-2000" in messages[0]["text"]


def test_internal_contact_gives_the_fictitious_person():
    messages, _ = run(ActionSocialMap(), tracker([contact("ib")]))
    assert "(fictief)" in messages[0]["text"]


def test_no_entity_gives_the_whole_social_map():
    messages, _ = run(ActionSocialMap(), tracker())
    text = messages[0]["text"]
    assert "112" in text and "0800-2000" in text and "0900-8844" in text


def test_unknown_contact_gets_a_helpful_answer():
    messages, events = run(ActionSocialMap(), tracker([contact("tandarts")]))
    assert messages[0]["response"] == "utter_contact_unknown"
    assert events == [{"event": "slot", "timestamp": None, "name": "contact", "value": None}]


def test_broken_profile_never_raises(monkeypatch, tmp_path):
    broken = tmp_path / "school.yml"
    broken.write_text("contacts: {veilig_thuis: {name: VT, phone: '0800-0200', when: x}}\n")
    monkeypatch.setenv("MELDWIJZER_SCHOOL", str(broken))
    messages, _ = run(ActionSocialMap(), tracker([contact("veilig_thuis")]))
    assert messages[0]["response"] == "utter_contacts_unavailable"
    _, events = run(ActionCheckAfterHours(), tracker())
    assert events[0]["value"] is True  # unknown hours: the 24/7 route


def test_question_behind_the_safety_net_is_answered_too():
    parse = {
        "safety_net": {"fired": ["special_form"], "classifier_intent": "faq"},
        "response_selector": {
            "default": {"response": {"utter_action": "utter_faq/zonder_oudergesprek", "confidence": 0.9}}
        },
    }
    messages, _ = run(ActionAnswerQuestionToo(), tracker(**parse))
    # The answer, then the offer to go through the steps: the guidance is never a dead end.
    assert [m["response"] for m in messages] == ["utter_faq/zonder_oudergesprek", "utter_offer_route"]


@pytest.mark.parametrize(
    "safety, confidence",
    [({"fired": ["sexual"], "classifier_intent": "acute_danger"}, 0.9),
     ({"fired": ["sexual"], "classifier_intent": "faq"}, 0.2),
     ({}, 0.9)],
)
def test_no_extra_answer_for_a_real_report(safety, confidence):
    parse = {
        "safety_net": safety,
        "response_selector": {"default": {"response": {"utter_action": "utter_faq/x", "confidence": confidence}}},
    }
    messages, _ = run(ActionAnswerQuestionToo(), tracker(**parse))
    assert [m["response"] for m in messages] == ["utter_offer_route"]
    # Inside the route the next question follows instead of the offer.
    messages, _ = run(ActionAnswerQuestionToo(), tracker(active_loop="meldcode_form", **parse))
    assert messages == []


@pytest.fixture
def open_school(monkeypatch, tmp_path):
    """A school that is always open: only the message can say it is evening, weekend or holiday."""
    from bench.understanding import always_open_profile

    monkeypatch.setenv("MELDWIJZER_SCHOOL", str(always_open_profile(tmp_path)))


@pytest.mark.parametrize("text, after", [
    ("het is zaterdag en ik blijf piekeren over een leerling", True),
    ("vrijdagavond tien uur, ik kan niet slapen van een kind uit mijn klas", True),
    ("in de herfstvakantie kreeg ik een bericht van een moeder", True),
    ("om 23.15 appte een ouder me", True),
    ("gisteravond zag ik bij het hek dat vader boos was", False),
    ("een meisje komt om 3 uur niet opgehaald", False),
    ("na de kerstvakantie is hij vaak moe", False),
    # Round 7's class: a day part or a holiday written as one word.
    ("zaterdagmiddag, en ik denk nog steeds aan een kleuter uit mijn groep", True),
    ("het is het paasweekend, de school is dicht tot dinsdag", True),
    ("afgelopen zondagochtend zag ik hem alleen op straat", False),
    ("het kerstdiner is donderdag om vijf uur", False),
])
def test_after_hours_from_the_text_whatever_the_clock_says(open_school, text, after):
    events = [{"event": "user", "text": text}, {"event": "user", "text": "/report_worry"}]
    _, slots = run(ActionCheckAfterHours(), tracker(events=events))
    assert slots[0]["value"] is after


def selector(*ranked):
    ranking = [{"intent_response_key": f"faq/{key}", "confidence": conf} for key, conf in ranked]
    return {"response_selector": {"default": {"ranking": ranking,
                                              "response": {"utter_action": f"utter_faq/{ranked[0][0]}",
                                                           "confidence": ranked[0][1]}}}}


@pytest.mark.parametrize("ranked, second", [
    ((("eerst_ouders", 0.31), ("zonder_oudergesprek", 0.30)), "utter_faq/zonder_oudergesprek"),
    ((("eerst_ouders", 0.45), ("zonder_oudergesprek", 0.20)), None),  # not close
    ((("kindcheck", 0.92), ("afwegingskader", 0.05)), None),  # sure
])
def test_a_close_second_faq_answer_is_given_too(ranked, second):
    messages, _ = run(ActionFaqSecondAnswer(), tracker(**selector(*ranked)))
    given = [m["response"] for m in messages if m.get("response")]
    assert given == ([second] if second else [])


def test_a_question_that_describes_a_worry_gets_its_answer_and_the_offer(open_school):
    text = ("een meisje uit groep 6 komt al weken zonder ontbijt en in dezelfde kleren, moeder reageert "
            "niet op berichten, valt dit onder de meldcode?")
    parse = {**selector(("wat_is_meldcode", 0.9), ("stappen", 0.05)), "text": text,
             "safety_net": {"fired": [], "concern": True}}
    messages, _ = run(ActionFaqSecondAnswer(), tracker(**parse))
    assert [m["response"] for m in messages] == ["utter_offer_route"]


@pytest.mark.parametrize("text, offered", [
    ("hij ruikt steeds naar rook, valt dat onder de meldcode?", True),
    ("ze is altijd moe in de klas, moet ik hier iets mee?", True),
    ("wat is de meldcode precies?", False),  # a question about the protocol, not about a child
])
def test_a_short_question_about_what_was_seen_gets_the_offer_too(open_school, text, offered):
    parse = {**selector(("wat_is_meldcode", 0.9), ("stappen", 0.05)), "text": text,
             "safety_net": {"fired": [], "concern": True}}
    messages, _ = run(ActionFaqSecondAnswer(), tracker(**parse))
    assert [m["response"] for m in messages] == (["utter_offer_route"] if offered else [])


def test_a_worry_described_in_a_question_outside_school_time_gets_the_24_7_numbers_first(open_school):
    text = "het is zondagavond en ik blijf denken aan een jongen die steeds honger heeft, moet ik hier iets mee?"
    parse = {**selector(("wat_is_meldcode", 0.9), ("stappen", 0.05)), "text": text,
             "safety_net": {"fired": [], "concern": True}}
    events = [{"event": "user", "text": text, "parse_data": parse}]
    messages, _ = run(ActionFaqSecondAnswer(), tracker(events=events, **parse))
    assert [m["response"] for m in messages] == ["utter_after_hours", "utter_offer_route"]


@pytest.mark.parametrize("text, concern, response", [
    ("een jongen uit mijn klas is al weken stil en heeft donkere kringen, wie kan ik nu nog bellen?", True,
     "utter_child_safety_check"),
    ("en nu?", True, "utter_no_question_pending"),
    # Round 14's class: one short signal, then "what now?".
    ("meisje uit groep 2 ruikt steeds naar urine, wat nu?", True, "utter_child_safety_check"),
    ("hoe gaat het nu verder?", True, "utter_no_question_pending"),
    ("wat is de volgende stap in het rooster voor de toetsweek van groep acht en negen?", False,
     "utter_no_question_pending"),
])
def test_what_now_before_any_route_asks_about_a_childs_safety_when_a_child_was_described(
        open_school, text, concern, response):
    from actions.route_form import ActionNextStep

    parse = {"text": text, "safety_net": {"fired": [], "concern": concern}}
    messages, _ = run(ActionNextStep(), tracker(**parse))
    assert [m["response"] for m in messages] == [response]
