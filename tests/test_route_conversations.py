"""The guided meldcode route as a user meets it: real conversations through the REST channel
with the action server running. One conversation per branch of the afwegingskader, the whole
route from a "niet pluis" feeling to a decision, and the cases of issue 3 (disclosure, a
colleague as suspect, skipping the parent conversation, refused consent, help without result,
a family moving, changing an answer, pause/resume, why?, look-ups, the safety net).
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


def test_afweging_2_doubt_explains_acute_and_structural_unsafety(chat: Chat):
    text = walk(chat, ["ja", "twijfel"])
    assert "Acuut onveilig" in text and "Structureel onveilig" in text
    assert "Volgens afweging 2" in text


def test_help_without_result_after_the_term_with_a_pause_in_between(chat: Chat):
    text = walk(chat, ["ja", "nee", "ja", "ja"])
    assert "casushouder" in text and "Afweging 5." in text
    assert "Check na 1 of 2 weken" in text  # referral: check whether the family sought help
    text = chat.say("we spreken een termijn van 6 weken af")  # becomes a reminder
    assert "herinnering voor afweging 5" in text and "Afweging 5." in text
    assert "Gepauzeerd" in chat.say("pauze")
    assert "Afweging 5." in chat.say("verder")
    text = chat.say("/deny")
    assert "Volgens afweging 5: (opnieuw) melden" in text and "0800-2000" in text


def test_changing_an_earlier_answer_recomputes_the_outcome(chat: Chat):
    text = walk(chat, ["ja", "nee", "nee"])
    assert "Volgens afweging 3" in text
    text = chat.say("ik bedoelde bij afweging twee eigenlijk gewoon ja")
    assert "afweging 2 is nu 'ja'" in text
    assert "Volgens afweging 2" in text and "Volgens afweging 3" not in text


def test_changing_an_answer_in_the_middle_of_the_form(chat: Chat):
    walk(chat, ["ja", "nee"])  # now at question 3
    text = chat.say("sorry, afweging 1 had nee moeten zijn")
    assert "Volgens afweging 1" in text and "sluit de meldcode af" in text


# --- the whole route, from a worry -------------------------------------------------------
STEP1_ANSWERS = [
    ("/deny", "Gaat je vermoeden over een medewerker"),
    ("/deny", "Wat heb je gezien, gehoord of geroken"),
    ("Ze had maandag een blauwe plek op haar bovenarm en trok haar mouw snel naar beneden.", "Wanneer en waar"),
    ("Maandag om 10 uur in de klas tijdens gym, de vakleerkracht was erbij.", "vermoeden of een verklaring"),
    ("nee", "informatie van anderen"),
    ("nee", "Speelt er bij een ouder iets"),
]


def start_worry(chat: Chat) -> str:
    text = chat.say("ik heb een niet-pluisgevoel over een leerling")
    assert "Stap 1: signalen in kaart brengen" in text
    assert "Is er acuut gevaar" in text
    assert "Kies ja, nee" not in text  # the first question comes without a reminder
    return text


def do_step_1(chat: Chat) -> str:
    start_worry(chat)
    for message, next_question in STEP1_ANSWERS:
        text = chat.say(message)
        assert next_question in text, (message, text)
    text = chat.say("/deny")  # kindcheck: nee
    assert "Leg dit vast in ParnasSys" in text and "Stap 2: collegiale consultatie" in text
    assert "Heb je de signalen besproken met je IB'er" in text
    return text


def do_step_2(chat: Chat, consent: str = "/affirm") -> str:
    do_step_1(chat)
    assert "Twijfelen jij of je IB'er" in chat.say("/affirm")
    assert "schriftelijk toestemming" in chat.say("/deny")
    text = chat.say(consent)
    assert "Stap 3: gesprek met de ouders" in text and "eergerelateerd geweld" in text
    return text


def test_from_a_worry_to_a_decision_step_by_step(chat: Chat):
    do_step_2(chat)
    assert "veilig gevoerd" in chat.say("/deny")
    assert "contact verbreekt" in chat.say("/affirm")
    text = chat.say("/deny")
    assert "Leg het doel uit" in text and "Is het gesprek met de ouders gevoerd" in text
    text = chat.say("/affirm")
    assert "Stap 4: wegen" in text and "Afweging 1." in text
    chat.say("/affirm")
    text = chat.say("/affirm")  # acute or structural unsafety: melden
    assert "Volgens afweging 2: meld direct" in text
    assert "Stap 5: beslissen en vervolg" in text and "5 werkdagen" in text and "Verwijsindex" in text
    assert "Jij, je school en Veilig Thuis beslissen" in text and "[Gezin verhuist]" in text


def test_a_family_moving_after_the_decision(chat: Chat):
    replies = chat.send("/start_afweging")
    for payload in ("/affirm", "/deny", "/deny"):
        replies = chat.send(payload)
    button = next(b for r in replies for b in r.get("buttons") or [] if b["title"] == "Gezin verhuist")
    text = chat.say(button["payload"])
    assert "nieuwe school" in text and "zorgcoördinator" in text


def test_a_colleague_as_suspect_stops_the_route(chat: Chat):
    start_worry(chat)
    chat.say("/deny")
    text = chat.say("/affirm")
    assert "geldt dit stappenplan niet" in text and "directie" in text
    assert "meld- en aangifteplicht" in text
    assert "Wat heb je gezien" not in text


def test_acute_danger_answered_in_step_1_gives_the_emergency_route(chat: Chat):
    start_worry(chat)
    text = chat.say("/affirm")
    assert "112" in text and "0800-2000" in text and "IB'er of de directie" in text


def test_a_childs_disclosure_inside_the_route(chat: Chat):
    start_worry(chat)
    chat.say("/deny")
    chat.say("/deny")  # at the open question "wat heb je gezien"
    text = chat.say("hij vertelde me vanochtend dat zijn vader hem met een riem slaat")
    assert "Een kind heeft je iets verteld" in text and "0800-2000" in text
    # The guidance first; what the teacher wrote is kept as the answer and the route goes on.
    assert text.index("0800-2000") < text.index("Wanneer en waar")
    assert "We gaan verder met de vragen" in text and "Typ 'menu'" not in text


def test_menu_at_an_open_question_is_not_taken_as_the_answer(chat: Chat):
    start_worry(chat)
    chat.say("/deny")
    chat.say("/deny")
    text = chat.say("menu")
    assert "midden in de meldcode-route" in text and "Wat heb je gezien" in text


def test_danger_signs_at_a_closed_question_get_the_guidance_and_the_question_again(chat: Chat):
    start_worry(chat)
    text = chat.say("ze zei dat haar moeder haar gisteren met een stok heeft geslagen")
    assert "0800-2000" in text and "Is er acuut gevaar" in text


def test_skipping_the_parent_conversation_for_safety(chat: Chat):
    do_step_2(chat)
    text = chat.say("/deny")  # honour-related violence / FGM: nee
    assert "veilig gevoerd" in text
    text = chat.say("/deny")  # not safe
    assert "gesprek overslaan" in text and "veiligheid" in text
    assert "Stap 4: wegen" in text and "Afweging 1." in text


def test_refused_consent_is_a_signal_for_the_weighing(chat: Chat):
    text = do_step_2(chat, consent="/deny")
    assert "zorgelijk signaal" in text
    for payload in ("/deny", "/affirm", "/deny", "/affirm"):
        text = chat.say(payload)
    assert "geen toestemming" in text and "Afweging 1." in text


def test_waiting_for_the_ib_and_coming_back(chat: Chat):
    do_step_1(chat)
    text = chat.say("/deny")
    assert "Bespreek de signalen eerst met je IB'er" in text and "'verder'" in text
    assert "Heb je de signalen besproken met je IB'er" in chat.say("verder")


def test_why_and_a_lookup_at_an_open_question(chat: Chat):
    start_worry(chat)
    chat.say("/deny")
    chat.say("/deny")
    text = chat.say("waarom vraag je dit?")
    assert "objectief en feitelijk" in text and "Wat heb je gezien" in text
    text = chat.say("wat is de kindcheck?")
    assert "kindcheck" in text.lower() and "Wat heb je gezien" in text


def test_doubt_about_a_colleague_waits_for_the_directie(chat: Chat):
    start_worry(chat)
    chat.say("/deny")
    text = chat.say("/doubt")
    assert "directie" in text and "'verder'" in text
    assert "Gaat je vermoeden over een medewerker" in chat.say("verder")


@pytest.mark.parametrize("when_where", [
    "Op maandag na de pauze, in de rij voor de deur.",
    "Tijdens de grote pauze bij de schommels, ik had pleinwacht.",
    "Vrijdag in het speellokaal, daarna gingen we verder met de les.",
])
def test_a_time_or_place_with_pauze_or_verder_is_the_answer(chat: Chat, when_where):
    """'Wanneer en waar?' is answered with times of the school day; "pauze" or "verder" in
    the answer neither pauses nor resumes the route, and the answer is not dropped."""
    start_worry(chat)
    chat.say("/deny")
    chat.say("/deny")
    assert "Wanneer en waar" in chat.say("Een rode striem op zijn arm, gezien bij binnenkomst.")
    text = chat.say(when_where)
    assert "vermoeden of een verklaring" in text and "gepauzeerd" not in text.lower()
