"""Real conversations through the REST channel: a started Rasa server with the trained model
and a started action server (rasa test never runs custom actions, so this is where the
actions meet the dialogue). What is asserted is what the user reads.
"""
from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from actions.office_hours import is_after_hours
from actions.school_profile import load_profile
from conftest import Chat, render, start_rasa, stop

EMERGENCY = ("112", "0800-2000")


DUTCH_WORDS = {"je", "de", "het", "een", "ik", "van", "en", "niet", "bel", "typ", "dat", "wat", "naar"}


def assert_dutch_reply(text: str) -> None:
    assert text.strip(), "empty reply"
    words = set(re.findall(r"[a-zà-ÿ]+", text.lower()))
    assert len(words & DUTCH_WORDS) >= 3, text


def test_greeting_introduces_an_automated_assistant_and_offers_the_menu(chat: Chat):
    replies = chat.send("hoi")
    text = render(replies)
    assert "automatische assistent" in text and "geen mens" in text
    assert "Ik beslis niets" in text
    assert "volledige naam" in text  # never type a child's full name
    buttons = [b["payload"] for r in replies for b in r.get("buttons") or []]
    assert "/report_worry" in buttons and "/ask_contact" in buttons


def test_menu_button_payload_works(chat: Chat):
    text = chat.say("/ask_faq_list")
    assert "kindcheck" in text.lower()


@pytest.mark.parametrize(
    "question, expected",
    [
        ("wat houdt die kindcheck eigenlijk in", "kindcheck"),
        ("kan ik vt om advies vragen zonder de naam van het kind te noemen", "anoniem"),
        ("wat doe ik als een medewerker van school de verdachte is", "directie"),
        ("hoe lang duurt het voordat veilig thuis een besluit neemt", "5 werkdagen"),
    ],
)
def test_faq_lookups(chat: Chat, question, expected):
    assert expected in chat.say(question)


@pytest.mark.parametrize(
    "question, expected",
    [
        ("wat is het nummer van veilig thuis", "0800-2000"),
        ("wie is onze wijkagent", "Wijkagent"),
        ("hoe bereik ik de jgz", "088-0549999"),
        ("sociale kaart", "0900-8844"),
    ],
)
def test_sociale_kaart(chat: Chat, question, expected):
    assert expected in chat.say(question)


def test_unknown_contact_gets_a_helpful_answer(chat: Chat):
    text = chat.say("wat is het nummer van de tandarts van de leerling")
    assert_dutch_reply(text)
    # Either "not in the sociale kaart" or the whole kaart: the 24/7 numbers are always there.
    assert "112" in text and "0800-2000" in text


@pytest.mark.parametrize(
    "message",
    [
        "een leerling vertelde net dat haar stiefvader haar slaat met een riem",
        "ik maak me zorgen: ze gaat deze zomer naar het land van herkomst voor een feest, net als haar zus",
        "Even over de ouderavond, de stoelen staan klaar. Trouwens, een jongen uit groep 6 zei dat "
        "hij niet naar huis durft omdat papa hem slaat. De koffie is op.",
    ],
)
def test_safety_net_gives_the_emergency_route(chat: Chat, message):
    text = chat.say(message)
    for number in EMERGENCY:
        assert number in text
    assert "IB" in text and "Schrijf op" in text


def test_safety_net_works_in_the_middle_of_a_conversation_and_it_continues(chat: Chat):
    chat.say("hoi")
    assert "0800-2000" in chat.say("haar vader heeft haar gewurgd zegt ze")
    assert "kindcheck" in chat.say("en wat is de kindcheck nou precies").lower()


def test_danger_button_gives_the_general_guidance_after_a_special_form(chat: Chat):
    assert "meisjesbesnijdenis" in chat.say("ze wordt in de vakantie besneden, net als haar zus")
    replies = chat.send("hoi")
    payload = next(b["payload"] for r in replies for b in r.get("buttons") or [] if "gevaar" in b["title"])
    text = chat.say(payload)
    assert "onveilige situatie" in text and "meisjesbesnijdenis" not in text


def test_special_form_question_gets_guidance_and_its_answer(chat: Chat):
    replies = chat.send("moet ik bij een vermoeden van meisjesbesnijdenis eerst met de ouders praten?")
    text = render(replies)
    assert "112" in text and "0800-2000" in text
    assert "níet eerst zelf met de ouders" in text


def test_worry_gets_the_24_7_route_out_of_school_hours(chat: Chat):
    profile = load_profile()
    before = is_after_hours(dt.datetime.now(dt.timezone.utc), profile)
    text = chat.say("ik heb een niet pluis gevoel over een jongen in mijn klas")
    after = is_after_hours(dt.datetime.now(dt.timezone.utc), profile)
    assert "signalen" in text.lower()
    if before and after:
        assert "buiten schooltijd" in text and "0800-2000" in text
        assert text.index("buiten schooltijd") < text.index("signalen")
    elif not before and not after:
        assert "buiten schooltijd" not in text


BAD_INPUT = {
    "empty": "",
    "whitespace": "   \n\t  ",
    "emoji": "😀😀🙈🙈",
    "very_long": ("bla " * 1250).strip(),
    "html_script": "<script>alert('x')</script><b>hallo</b>",
    "sql": "'; DROP TABLE events; --",
    "english": "Hello, I am worried about one of my students, can you help me?",
}


@pytest.mark.parametrize("kind", sorted(BAD_INPUT))
def test_bad_input_gets_a_dutch_reply_and_nothing_breaks(chat: Chat, kind):
    message = BAD_INPUT[kind]
    text = chat.say(message)
    assert_dutch_reply(text)
    assert "<script" not in text and "<b>" not in text and "DROP TABLE" not in text
    # The conversation still works afterwards.
    assert "automatische assistent" in chat.say("hallo")


def test_english_gets_a_dutch_reply_with_the_emergency_numbers(chat: Chat):
    text = chat.say("Sorry, I don't speak Dutch yet. Where do I find the school's protocol?")
    assert "Nederlands" in text and "112" in text


def test_a_danger_report_in_english_gets_the_guidance(chat: Chat):
    """Staff still learning Dutch write danger in English: the guidance, in Dutch, with 112 and
    Veilig Thuis (round 10), not only "Ik begrijp alleen Nederlands"."""
    text = chat.say("My student told me her father beats her, what should I do?")
    assert "Handel nu" in text and "112" in text and "0800-2000" in text


@pytest.fixture(scope="module")
def rasa_without_actions(model_path, tmp_path_factory):
    """Rasa with an action endpoint that nobody listens on (the action server is down)."""
    process = start_rasa(model_path, "http://127.0.0.1:9/webhook", tmp_path_factory.mktemp("noact"))
    try:
        yield process.base_url
    finally:
        stop(process)


def test_safety_net_answers_when_the_action_server_is_down(rasa_without_actions):
    chat = Chat(rasa_without_actions, "no-actions")
    text = chat.say("hij vertelde dat zijn moeder hem schopt en opsluit in de kast")
    assert "112" in text and "0800-2000" in text and "Schrijf op" in text
    # FAQ and menu are domain responses too: they keep working.
    assert "kindcheck" in chat.say("wat is de kindcheck?").lower()
