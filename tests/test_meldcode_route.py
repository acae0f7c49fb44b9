"""The guided route (steps 1-5) as tables of answers and expected outcomes, plus every
combination of closed answers in steps 1-3 checked against the protocol's rules."""
from __future__ import annotations

import pytest

from actions.meldcode_logic import Decision
from actions.meldcode_route import (
    CLOSED_RULES,
    STEP_QUESTIONS,
    TEXT_QUESTIONS,
    ChangeRequest,
    Effect,
    Say,
    Status,
    apply_change,
    is_closed,
    load_route_texts,
    looks_like_hypothesis,
    parse_change_request,
    said_after_answer,
    walk,
)
from actions.meldcode_logic import Answer

J, N, T, W = "ja", "nee", "twijfel", "weet_niet"

STEP1_TEXT = {"s1_signalen": "blauwe plek op de wang", "s1_context": "maandag in de klas",
              "s1_vermoeden": "nee", "s1_derden": "nee"}
STEP1 = {"s1_acuut": N, "s1_medewerker": N, **STEP1_TEXT, "s1_kindcheck": N}
STEP2 = {"s2_ib": J, "s2_advies": N, "s2_toestemming": J}
STEP3 = {"s3_eer_vgv": N, "s3_veilig": J, "s3_vertrek": N, "s3_gevoerd": J}
STEPS_1_3 = {**STEP1, **STEP2, **STEP3}


def afw(*answers):
    return {f"afweging_{i}": a for i, a in enumerate(answers, start=1)}


TABLE = [
    # answers                                           entry  status               question / text key
    ({},                                                1,     Status.ASK,          "s1_acuut"),
    ({},                                                4,     Status.ASK,          "afweging_1"),
    ({},                                                None,  Status.NOT_STARTED,  None),
    # step 1: acute danger and the special forms stop the route (IB/directie -> VT now)
    ({"s1_acuut": J},                                   1,     Status.STOPPED,      "acuut"),
    ({"s1_acuut": T},                                   1,     Status.ASK,          "s1_medewerker"),
    ({"s1_acuut": W},                                   1,     Status.ASK,          "s1_medewerker"),
    # a colleague as suspect: the route does not apply; doubt waits for the directie
    ({"s1_acuut": N, "s1_medewerker": J},               1,     Status.STOPPED,      "medewerker"),
    ({"s1_acuut": N, "s1_medewerker": T},               1,     Status.WAIT,         "medewerker_twijfel"),
    ({"s1_acuut": N, "s1_medewerker": W},               1,     Status.WAIT,         "medewerker_twijfel"),
    ({"s1_acuut": N, "s1_medewerker": N},               1,     Status.ASK,          "s1_signalen"),
    ({"s1_acuut": N, "s1_medewerker": N, "s1_signalen": "  "}, 1, Status.ASK,       "s1_signalen"),
    ({**STEP1, "s1_kindcheck": J},                      1,     Status.ASK,          "s2_ib"),
    # step 2: first the IB
    ({**STEP1, "s2_ib": N},                             1,     Status.WAIT,         "ib"),
    ({**STEP1, "s2_ib": T},                             1,     Status.WAIT,         "ib"),
    ({**STEP1, "s2_ib": J, "s2_advies": T},             1,     Status.ASK,          "s2_toestemming"),
    ({**STEP1, **STEP2},                                1,     Status.ASK,          "s3_eer_vgv"),
    # step 3: honour-related violence / FGM -> VT urgently, also on doubt
    ({**STEP1, **STEP2, "s3_eer_vgv": J},               1,     Status.STOPPED,      "eer_vgv"),
    ({**STEP1, **STEP2, "s3_eer_vgv": W},               1,     Status.STOPPED,      "eer_vgv"),
    # the two reasons to skip the conversation go straight to the weighing
    ({**STEP1, **STEP2, "s3_eer_vgv": N, "s3_veilig": N},                  1, Status.ASK, "afweging_1"),
    ({**STEP1, **STEP2, "s3_eer_vgv": N, "s3_veilig": T},                  1, Status.WAIT, "veilig_twijfel"),
    ({**STEP1, **STEP2, "s3_eer_vgv": N, "s3_veilig": J, "s3_vertrek": J}, 1, Status.ASK, "afweging_1"),
    ({**STEP1, **STEP2, "s3_eer_vgv": N, "s3_veilig": J, "s3_vertrek": W}, 1, Status.WAIT, "vertrek_twijfel"),
    ({**STEP1, **STEP2, **STEP3, "s3_gevoerd": N},      1,     Status.WAIT,         "gesprek"),
    ({**STEPS_1_3},                                     1,     Status.ASK,          "afweging_1"),
    # step 4 and 5: the afwegingskader decides
    ({**STEPS_1_3, **afw(N)},                           1,     Status.DECIDED,      Decision.CLOSE_NO_SUSPICION),
    ({**STEPS_1_3, **afw(J, T)},                        1,     Status.DECIDED,      Decision.MELDEN),
    ({**STEPS_1_3, **afw(J, N, J, J)},                  1,     Status.ASK,          "afweging_5"),
    ({**STEPS_1_3, **afw(J, N, J, J, N)},               1,     Status.DECIDED,      Decision.MELDEN),
    ({**STEPS_1_3, **afw(J, N, J, N)},                  1,     Status.DECIDED,      Decision.MELDEN),
    # entry at step 4 ignores steps 1-3
    ({"s1_acuut": J, **afw(J, N, N)},                   4,     Status.DECIDED,      Decision.MELDEN),
]


@pytest.mark.parametrize("answers, entry, status, expected", TABLE)
def test_route_table(answers, entry, status, expected):
    state = walk(answers, entry)
    assert state.status is status
    if status is Status.ASK:
        assert state.question == expected
    elif status in (Status.WAIT, Status.STOPPED):
        assert state.text_key == expected
    elif status is Status.DECIDED:
        assert state.outcome.decision is expected


def test_skipping_the_conversation_is_remembered_with_its_reason():
    state = walk({**STEP1, **STEP2, "s3_eer_vgv": N, "s3_veilig": N}, 1)
    assert state.skipped_conversation == "overslaan_veiligheid"
    assert "s3_gevoerd" not in dict(state.path)


def test_refused_consent_is_carried_to_the_weighing():
    state = walk({**STEPS_1_3, "s2_toestemming": N}, 1)
    assert state.question == "afweging_1" and state.consent_refused
    assert Say("note", "weigering_signaal") in said_after_answer(
        walk({**STEPS_1_3, "s2_toestemming": N, "s3_gevoerd": None}, 1), state, "s3_gevoerd", J)


@pytest.mark.parametrize("key", sorted(CLOSED_RULES))
def test_doubt_is_never_read_as_nee(key):
    """twijfel / weet ik niet take the cautious branch: never a skip, and never 'just go on'
    where ja or nee would trigger a safeguard."""
    rules = CLOSED_RULES[key]
    doubt = rules[Answer.TWIJFEL]
    assert rules[Answer.WEET_NIET] == doubt
    assert doubt.effect is not Effect.SKIP
    if Effect.GO in (rules[Answer.JA].effect, rules[Answer.NEE].effect):
        assert doubt.effect is not Effect.GO, key
    if rules[Answer.NEE].effect is not Effect.GO:  # nee itself is the safeguard
        assert doubt.effect is not Effect.GO, key


def test_every_question_and_key_has_a_text_with_its_source():
    texts = load_route_texts()
    for _, key in STEP_QUESTIONS:
        item = texts.questions[key]
        assert item["text"] and item["why"] and str(item["source"]).startswith("protocol 00")
        assert item["kind"] == ("closed" if is_closed(key) else "text")
    used = {(rule.effect, rule.key) for rules in CLOSED_RULES.values() for rule in rules.values()}
    for effect, key in used:
        section = {Effect.STOP: texts.stops, Effect.WAIT: texts.waits}.get(effect, texts.notes)
        if key:
            assert key in section, key
    for section in (texts.notes, texts.stops, texts.waits, texts.after_decision):
        for key, item in section.items():
            assert str(item["source"]).startswith("protocol 00"), key
            assert len(item["text"]) <= 420, (key, len(item["text"]))
    for plan in texts.step_titles.values():
        assert set(plan) == {1, 2, 3, 4, 5}


def test_text_questions_are_exactly_the_open_ones():
    assert TEXT_QUESTIONS == {"s1_signalen", "s1_context", "s1_vermoeden", "s1_derden"}


@pytest.mark.parametrize("text, expected", [
    ("Hij had een blauwe plek op zijn wang.", False),
    ("Ik denk dat vader drinkt.", True),
    ("Volgens mij slaapt ze slecht", True),
    ("Ze zei letterlijk: 'ik wil niet naar huis'", False),
    ("Misschien komt het door de scheiding", True),
])
def test_hypotheses_are_recognised(text, expected):
    assert looks_like_hypothesis(text) is expected


@pytest.mark.parametrize("text, question, answer", [
    ("bij vraag 2 bedoelde ik ja", 2, Answer.JA),
    ("afweging 3 moet nee zijn", 3, Answer.NEE),
    ("bij de tweede vraag twijfel ik toch", 2, Answer.TWIJFEL),
    ("vraag vier: weet ik niet", 4, Answer.WEET_NIET),
    ("bij de vorige vraag bedoelde ik nee", None, Answer.NEE),
    ("ik zei nee maar ik bedoelde ja bij 2", 2, Answer.JA),
    ("ik heb bij vraag 3 per ongeluk nee gedrukt", 3, None),
    ("kan ik vraag 1 nog aanpassen", 1, None),
    ("foutje bij de vorige vraag", None, None),
    ("verkeerd geklikt, het is twijfel", None, Answer.TWIJFEL),
    ("bij een vraag heb ik me vergist", None, None),
    ("bij 3 weet ik het toch niet", 3, Answer.WEET_NIET),
    ("afweging 2 moet twijfle zijn", 2, Answer.TWIJFEL),
])
def test_change_requests_are_parsed(text, question, answer):
    assert parse_change_request(text) == ChangeRequest(question, answer)


def test_changing_an_answer_recomputes_the_outcome():
    answers = {**afw(J, N, J, N)}
    assert walk(answers, 4).outcome.decision is Decision.MELDEN
    changed = apply_change(answers, 4, ChangeRequest(4, Answer.JA))
    assert changed.key == "afweging_4" and changed.problem is None
    assert walk(changed.answers, 4).question == "afweging_5"
    # change 2 to ja: melden at 2, later answers are no longer read
    again = apply_change(changed.answers, 4, ChangeRequest(2, Answer.JA))
    state = walk(again.answers, 4)
    assert state.outcome.decision is Decision.MELDEN and state.outcome.decided_at == 2


def test_changing_without_a_new_answer_asks_the_question_again():
    changed = apply_change({**STEP1, "s2_ib": N}, 1, ChangeRequest(None, None))
    assert changed.key == "s2_ib" and walk(changed.answers, 1).question == "s2_ib"


def test_a_question_not_yet_answered_cannot_be_changed():
    result = apply_change(afw(J), 4, ChangeRequest(3, Answer.JA))
    assert result.problem == "not_answered" and result.answers == afw(J)
    assert apply_change({}, 1, ChangeRequest(None, Answer.JA)).problem == "nothing_to_change"


def test_a_free_text_answer_is_asked_again_rather_than_set_to_ja():
    answers = {"s1_acuut": N, "s1_medewerker": N, "s1_signalen": "stil in de klas"}
    result = apply_change(answers, 1, ChangeRequest(None, Answer.JA))
    assert result.key == "s1_signalen" and "s1_signalen" not in result.answers


def test_step_changes_announce_the_next_step():
    before = walk({**STEP1, "s1_kindcheck": None}, 1)
    after = walk(STEP1, 1)
    said = said_after_answer(before, after, "s1_kindcheck", N)
    assert said == [Say("note", "stap1_klaar"), Say("intro", 2)]
    said = said_after_answer(before, walk({**STEP1, "s1_kindcheck": J}, 1), "s1_kindcheck", J)
    assert said[0] == Say("note", "kindcheck")


def test_doubt_at_afweging_2_explains_acute_and_structural_unsafety():
    before = walk(afw(J), 4)
    said = said_after_answer(before, walk(afw(J, T), 4), "afweging_2", T)
    assert Say("explain", 2) in said


def test_organise_help_then_question_5():
    before = walk(afw(J, N, J), 4)
    said = said_after_answer(before, walk(afw(J, N, J, J), 4), "afweging_4", J)
    assert Say("afweging_outcome", "organise_help") in said
    assert Say("after", "organise_help") in said  # refer, check within 1-2 weeks, keep following
