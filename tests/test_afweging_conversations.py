"""The afwegingskader as a user meets it: real conversations through the REST channel
with the action server running. One conversation per branch of the protocol, plus the
things users do mid-form (why?, pause/resume, a look-up, the safety net, typed answers).
"""
from __future__ import annotations

import pytest

from conftest import Chat

PAYLOAD = {"ja": "/affirm", "nee": "/deny", "twijfel": "/doubt", "weet_niet": "/dont_know"}


def start(chat: Chat) -> str:
    return chat.say("/start_afweging")


def walk(chat: Chat, answers) -> str:
    text = start(chat)
    assert "Afweging 1." in text
    for answer in answers:
        text = chat.say(PAYLOAD[answer])
    return text


@pytest.mark.parametrize(
    "answers, expected, next_question",
    [
        (["nee"], ["Volgens afweging 1", "sluit de meldcode af", "ParnasSys"], None),
        (["ja", "ja"], ["Volgens afweging 2", "0800-2000", "samen met Veilig Thuis"], None),
        (["ja", "twijfel"], ["Volgens afweging 2"], None),
        (["ja", "weet_niet"], ["Volgens afweging 2"], None),
        (["ja", "nee", "nee"], ["Volgens afweging 3", "5 werkdagen"], None),
        (["ja", "nee", "weet_niet"], ["Twijfel is geen 'nee'", "0800-2000"], None),
        (["ja", "nee", "ja", "nee"], ["Volgens afweging 4: melden"], None),
        (["ja", "nee", "ja", "ja"], ["zet de hulp in gang", "casushouder", "termijn"], 5),
        (["ja", "nee", "ja", "ja", "nee"], ["Volgens afweging 5: (opnieuw) melden"], None),
        (["ja", "nee", "ja", "ja", "ja"], ["sluit de hulp af", "monitoren"], None),
        (["ja", "nee", "ja", "ja", "twijfel"], ["Twijfel is geen 'nee'"], None),
    ],
)
def test_every_branch_of_the_afwegingskader(chat: Chat, answers, expected, next_question):
    text = walk(chat, answers)
    for part in expected:
        assert part in text, (part, text)
    if next_question:
        assert f"Afweging {next_question}." in text
    else:
        assert "(Bron: protocol 00" in text and "Jij, je school en Veilig Thuis beslissen" in text


def test_doubt_at_question_1_is_not_no(chat: Chat):
    text = walk(chat, ["twijfel"])
    assert "anoniem" in text and "Afweging 2." in text
    assert "sluit de meldcode af" not in text


def test_typed_answers_are_understood(chat: Chat):
    start(chat)
    assert "Afweging 2." in chat.say("ja dat denk ik wel")
    assert "Afweging 3." in chat.say("nee hoor")


def test_why_gives_the_protocol_reason_and_asks_again(chat: Chat):
    walk(chat, ["ja"])
    text = chat.say("waarom vraag je dit?")
    assert "álle gevallen" in text and "protocol 003" in text
    assert "Afweging 2." in text


def test_pause_and_resume_at_the_same_question(chat: Chat):
    walk(chat, ["ja", "nee"])
    assert "Gepauzeerd" in chat.say("pauze")
    assert "kindcheck" in chat.say("wat is de kindcheck?").lower()
    text = chat.say("verder")
    assert "Afweging 3." in text


def test_lookup_in_the_middle_of_the_form(chat: Chat):
    walk(chat, ["ja"])
    text = chat.say("mag ik vt ook anoniem om advies vragen?")
    assert "anoniem" in text and "Afweging 2." in text


def test_safety_net_inside_the_form_then_back_to_the_question(chat: Chat):
    walk(chat, ["ja", "nee"])
    text = chat.say("o ja, ze vertelde vandaag dat haar stiefvader haar slaat met een riem")
    assert "112" in text and "0800-2000" in text
    assert "Afweging 3." in text
