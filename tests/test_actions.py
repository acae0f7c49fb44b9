"""Custom actions run directly with rasa-sdk's dispatcher and tracker (no server)."""
from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.lookups import ActionAnswerQuestionToo, ActionCheckAfterHours, ActionSocialMap


def tracker(entities=(), **parse) -> Tracker:
    latest = {"intent": {"name": "ask_contact"}, "entities": list(entities), "text": "x", **parse}
    return Tracker("test", {}, latest, [], False, None, {}, "action_listen")


def run(action, tr):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tr, {})
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
    assert [m["response"] for m in messages] == ["utter_faq/zonder_oudergesprek"]


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
    assert messages == []
