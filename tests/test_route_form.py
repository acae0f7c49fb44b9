"""The route form's actions, run directly with rasa-sdk's dispatcher and tracker (no server):
validation per kind of question, the outcome texts, resume, change, and the school variant."""
from __future__ import annotations

import asyncio
import inspect
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.case_log.dialogue import SAVED_MARK, get_store
from actions.case_log.store import Actor
from actions.meldcode_route import TEXT_QUESTIONS
from actions.route_form import (
    ActionChangeAnswer,
    ActionNextStep,
    ActionExplainQuestion,
    ActionResumeRoute,
    ActionRouteOutcome,
    ActionStartAfweging,
    ValidateMeldcodeForm,
)
from tests.test_meldcode_route import STEP1, STEPS_1_3, afw

ROOT = Path(__file__).resolve().parent.parent


def tracker(answers=None, entry="1", intent="affirm", text="ja", confidence=0.9, selector=None) -> Tracker:
    """`intent`: a name, or the names of the intent ranking, first the predicted one."""
    ranking = [intent] if isinstance(intent, str) else list(intent)
    latest = {"intent": {"name": ranking[0], "confidence": confidence}, "entities": [], "text": text,
              "intent_ranking": [{"name": name, "confidence": confidence} for name in ranking]}
    if selector:
        latest["response_selector"] = {"default": {"response": {"utter_action": selector, "confidence": 0.9}}}
    slots = {"route_answers": answers or {}, "route_entry": entry, "requested_slot": "route_answer"}
    # A REST conversation as bot/channels.py names it: the case log's actor is rest:t.
    return Tracker("rest:t", slots, latest, [{"event": "user", "input_channel": "rest"}], False, None,
                   {"name": "meldcode_form"}, "action_listen")


def done(result):
    """The result of an action method, awaited if it is a coroutine."""
    return asyncio.run(result) if inspect.isawaitable(result) else result


def validate(tr: Tracker, value=None):
    dispatcher = CollectingDispatcher()
    result = done(ValidateMeldcodeForm().validate_route_answer(
        value if value is not None else tr.latest_message["text"], dispatcher, tr, {}))
    return result, dispatcher.messages


def recorded_entries(code, question):
    case = get_store().read_case(code, Actor("rest", "t"))
    return [e for e in case.entries if e.question == question]


def texts(messages):
    return "\n".join(m.get("text") or m.get("response") or "" for m in messages)


def run(action, tr):
    dispatcher = CollectingDispatcher()
    events = done(action.run(dispatcher, tr, {}))
    return dispatcher.messages, events


@pytest.mark.parametrize("answers, intent, text, stored_key, stored, said", [
    # closed questions: the intent decides, typed or pressed
    ({}, "affirm", "/affirm", "s1_acuut", "ja", None),
    ({}, "doubt", "ik twijfel een beetje", "s1_acuut", "twijfel", "Bel nu Veilig Thuis"),
    ({"s1_acuut": "nee"}, "dont_know", "geen idee", "s1_medewerker", "weet_niet", None),
    # open questions: the text is kept as written
    ({"s1_acuut": "nee", "s1_medewerker": "nee"}, "school_matter", "Hij had een blauwe plek op zijn arm.",
     "s1_signalen", "Hij had een blauwe plek op zijn arm.", None),
    ({"s1_acuut": "nee", "s1_medewerker": "nee"}, "report_worry", "ik denk dat het thuis niet goed gaat",
     "s1_signalen", "ik denk dat het thuis niet goed gaat", "vermoeden"),
    # 'nee' at an optional open question
    ({"s1_acuut": "nee", "s1_medewerker": "nee", "s1_signalen": "x", "s1_context": "y"}, "deny", "nee hoor",
     "s1_vermoeden", "nee", None),
    # end of step 1: the LVS reminder and the start of step 2
    ({k: v for k, v in STEP1.items() if k != "s1_kindcheck"}, "deny", "nee", "s1_kindcheck", "nee",
     "ParnasSys"),
    # refused consent: a signal for the weighing
    ({**STEP1, "s2_ib": "ja", "s2_advies": "nee"}, "deny", "nee", "s2_toestemming", "nee", "zorgelijk signaal"),
])
def test_a_valid_answer_is_filed_under_its_question(answers, intent, text, stored_key, stored, said):
    result, messages = validate(tracker(answers, intent=intent, text=text))
    assert result["route_answer"] is None
    recorded = recorded_entries(result["case_code"], stored_key)
    if stored_key in TEXT_QUESTIONS and stored != "nee":
        # free text goes to the encrypted case log; the tracker keeps only a mark
        assert result["route_answers"][stored_key] == SAVED_MARK
        assert recorded[0].text == stored
    else:
        assert result["route_answers"][stored_key] == stored
        assert recorded[0].answer == stored
    assert result["case_pending"] is None
    if said:
        assert said in texts(messages)


def test_step_2_starts_with_its_title_and_the_ib():
    answers = {k: v for k, v in STEP1.items() if k != "s1_kindcheck"}
    _, messages = validate(tracker(answers, intent="deny", text="nee"))
    assert "Stap 2: collegiale consultatie" in texts(messages)
    assert "A. Visser (fictief)" in texts(messages)


@pytest.mark.parametrize("answers, intent, text, response", [
    ({}, "school_matter", "de gymzaal is dicht", "utter_answer_buttons"),  # closed question, no answer
    ({}, "greet", "hallo", "utter_route_hint"),
    ({"s1_acuut": "nee", "s1_medewerker": "nee"}, "help", "menu", "utter_route_hint"),
    # unsure between goodbye and pause: not the answer either
    ({"s1_acuut": "nee", "s1_medewerker": "nee"}, ("nlu_fallback", "goodbye", "pause"), "stop", "utter_route_hint"),
    ({"s1_acuut": "nee", "s1_medewerker": "nee"}, "affirm", "/affirm", "utter_answer_in_words"),
])
def test_an_unusable_answer_asks_again(answers, intent, text, response):
    result, messages = validate(tracker(answers, intent=intent, text=text))
    assert result == {"route_answer": None}
    assert messages[0]["response"] == response


def test_a_lookup_at_a_closed_question_is_answered_and_the_question_stays():
    result, messages = validate(tracker({}, intent="faq", text="wat is de kindcheck",
                                        selector="utter_faq/kindcheck"))
    assert result == {"route_answer": None}
    assert messages[0]["response"] == "utter_faq/kindcheck"


def test_at_an_open_question_only_a_real_question_is_a_lookup():
    answers = {"s1_acuut": "nee", "s1_medewerker": "nee"}
    result, _ = validate(tracker(answers, intent="faq", text="mag ik anoniem advies vragen?",
                                 selector="utter_faq/anoniem_advies"))
    assert result == {"route_answer": None}
    result, _ = validate(tracker(answers, intent="faq", text="vader weigert toestemming voor het zorgteam",
                                 selector="utter_faq/ouder_weigert_toestemming"))
    assert result["route_answers"]["s1_signalen"] == SAVED_MARK
    assert recorded_entries(result["case_code"], "s1_signalen")[0].text == (
        "vader weigert toestemming voor het zorgteam")


def test_a_very_long_answer_is_kept_within_bounds():
    answers = {"s1_acuut": "nee", "s1_medewerker": "nee"}
    result, _ = validate(tracker(answers, intent="school_matter", text="bla " * 1250))
    assert 0 < len(recorded_entries(result["case_code"], "s1_signalen")[0].text) <= 2000


def test_required_slots_end_the_form_at_a_wait_stop_or_decision():
    form = ValidateMeldcodeForm()
    for answers, required in [({}, ["route_answer"]), ({"s1_acuut": "ja"}, []),
                              ({**STEP1, "s2_ib": "nee"}, []), ({**STEPS_1_3, **afw("nee")}, [])]:
        got = asyncio.run(form.required_slots(["route_answer"], CollectingDispatcher(), tracker(answers), {}))
        assert got == required, answers


@pytest.mark.parametrize("answers, expected", [
    ({"s1_acuut": "ja"}, ["112", "IB'er of de directie", "utter_professional_decides"]),
    ({"s1_acuut": "nee", "s1_medewerker": "ja"}, ["directie", "meld- en aangifteplicht", "geldt dit stappenplan niet"]),
    ({**STEP1, "s2_ib": "nee"}, ["IB'er (A. Visser (fictief))", "'verder'"]),
    ({**STEPS_1_3, **afw("ja", "nee", "nee")}, ["Volgens afweging 3", "5 werkdagen", "Stap 5", "Verwijsindex"]),
    ({**STEPS_1_3, **afw("nee")}, ["Volgens afweging 1", "ParnasSys", "gewone hulp"]),
])
def test_route_outcome_says_what_the_protocol_says(answers, expected):
    messages, _ = run(ActionRouteOutcome(), tracker(answers))
    said = texts(messages)
    for part in expected:
        assert part in said, (part, said)


def test_not_started_says_how_to_start():
    messages, _ = run(ActionRouteOutcome(), tracker({}, entry=None))
    assert messages[0]["response"] == "utter_no_route"


def test_after_a_decision_follow_up_topics_are_offered():
    messages, _ = run(ActionRouteOutcome(), tracker(afw("ja", "ja"), entry="4"))
    titles = [b["title"] for m in messages for b in m.get("buttons") or []]
    assert "Gezin verhuist" in titles and "School en SMW oneens" in titles


def test_resume_after_a_wait_asks_that_question_again():
    _, events = run(ActionResumeRoute(), tracker({**STEP1, "s2_ib": "nee"}))
    assert "s2_ib" not in events[0]["value"] and events[0]["name"] == "route_answers"
    _, events = run(ActionResumeRoute(), tracker(STEP1))  # paused mid-question: nothing to clear
    assert events == []


def test_change_answer_sets_the_new_value_and_says_so():
    messages, events = run(ActionChangeAnswer(), tracker(afw("ja", "nee", "nee"), entry="4",
                                                        intent="change_answer", text="bij vraag 2 bedoelde ik ja"))
    assert events[0]["value"]["afweging_2"] == "ja"
    assert "afweging 2 is nu 'ja'" in texts(messages)


def test_change_of_an_unanswered_question_is_refused_kindly():
    messages, events = run(ActionChangeAnswer(), tracker(afw("ja"), entry="4", intent="change_answer",
                                                        text="bij afweging 4 bedoelde ik nee"))
    assert events == [] and "nog niet beantwoord" in texts(messages)


def test_why_at_afweging_2_explains_acute_and_structural_unsafety():
    messages, _ = run(ActionExplainQuestion(), tracker(afw("ja"), entry="4"))
    said = texts(messages)
    assert "álle gevallen" in said and "verwurging" in said and "Structureel onveilig" in said


def test_start_afweging_keeps_steps_1_to_3_and_mentions_refused_consent():
    answers = {**STEPS_1_3, "s2_toestemming": "nee", **afw("ja", "ja")}
    messages, events = run(ActionStartAfweging(), tracker(answers))
    values = {e["name"]: e["value"] for e in events}
    assert values["route_entry"] == "1"
    assert "afweging_1" not in values["route_answers"] and values["route_answers"]["s2_ib"] == "ja"
    assert "geen toestemming" in texts(messages)


@pytest.fixture
def six_step_school(tmp_path, monkeypatch):
    raw = yaml.safe_load((ROOT / "data" / "schools" / "voorbeeldschool.yml").read_text(encoding="utf-8"))
    raw["school"]["lvs"] = "Esis"
    raw["meldcode"] = {"step_plan": "zes_stappen", "casushouder": "de SMW'er", "verwijsindex": "SISA"}
    path = tmp_path / "zesstappen.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("MELDWIJZER_SCHOOL", str(path))


def test_school_variant_comes_from_the_profile(six_step_school):
    messages, _ = run(ActionRouteOutcome(), tracker({**STEPS_1_3, **afw("ja", "nee", "ja", "ja", "ja")}))
    said = texts(messages)
    assert "Stap 6: nazorg" in said and "Nazorg (stap 6)" in said
    result, messages = validate(tracker({**STEPS_1_3, **afw("ja", "nee", "ja")}))
    said = texts(messages)
    assert "Esis" in said and "de SMW'er" in said
    messages, _ = run(ActionRouteOutcome(), tracker({**STEPS_1_3, **afw("ja", "ja")}))
    assert "SISA" in texts(messages)


def test_five_step_school_gets_no_nazorg_step():
    messages, _ = run(ActionRouteOutcome(), tracker({**STEPS_1_3, **afw("ja", "nee", "ja", "ja", "ja")}))
    assert "Stap 5: beslissen en vervolg" in texts(messages) and "stap 6" not in texts(messages).lower()


def test_danger_signs_at_an_open_question_are_kept_as_the_answer():
    from actions.route_form import ActionKeepRouteText

    answers = {"s1_acuut": "nee", "s1_medewerker": "nee"}
    text = "ze vertelde dat haar vader haar slaat"
    _, events = run(ActionKeepRouteText(), tracker(answers, intent="acute_danger", text=text))
    slots = {e["name"]: e["value"] for e in events}
    assert slots["route_answers"]["s1_signalen"] == SAVED_MARK
    assert recorded_entries(slots["case_code"], "s1_signalen")[0].text == text
    # At a closed question the message does not answer it ("is er acuut gevaar?"), but what the
    # story states is kept: a father at home, so the suspect is no staff member.
    _, events = run(ActionKeepRouteText(), tracker({}, intent="acute_danger", text=text))
    kept = {e["name"]: e["value"] for e in events}["route_answers"]
    assert kept == {"s1_medewerker": "nee"}
    # For a button nothing is kept.
    assert run(ActionKeepRouteText(), tracker(answers, intent="acute_danger", text="/acute_danger"))[1] == []


def test_nothing_said_yet_asks_without_a_reminder():
    dispatcher = CollectingDispatcher()
    tr = tracker({}, intent="report_worry", text="ik maak me zorgen")
    result = done(ValidateMeldcodeForm().validate_route_answer(None, dispatcher, tr, {}))
    assert result == {"route_answer": None} and dispatcher.messages == []


def test_the_agreed_term_at_afweging_5_becomes_a_reminder():
    answers = {**STEPS_1_3, **afw("ja", "nee", "ja", "ja")}
    result, messages = validate(tracker(answers, intent="inform", text="we hebben een termijn van 6 weken"))
    assert result["route_answer"] is None and "route_answers" not in result  # 5 is still open
    assert "utter_term_noted" in texts(messages)
    case = get_store().read_case(result["case_code"], Actor("rest", "t"))
    [follow_up] = case.follow_ups
    assert follow_up.kind == "help_term" and 41 <= (follow_up.due_at - case.opened_at).days <= 42


AT_SIGNALS = {"s1_acuut": "nee", "s1_medewerker": "nee"}  # the route asks "wat heb je gezien?"


@pytest.mark.parametrize("action, answers, intent, confidence, text, kept", [
    # taken for a command without being sure: the answer to the open question
    (ActionResumeRoute, AT_SIGNALS, "resume", 0.40, "Gisteren bij het ophalen, moeder was er ook.", True),
    (ActionExplainQuestion, AT_SIGNALS, "ask_why", 0.45, "Bij het buitenspelen zag de juf het ook", True),
    # sure, a real question, or no open question: the command
    (ActionResumeRoute, AT_SIGNALS, "resume", 0.95, "ga maar door", False),
    (ActionExplainQuestion, AT_SIGNALS, "ask_why", 0.45, "waarom wil je dat weten?", False),
    (ActionExplainQuestion, AT_SIGNALS, "ask_why", 0.90, "leg uit waarom dit nodig is", False),
    (ActionResumeRoute, {}, "resume", 0.40, "Gisteren bij het ophalen, moeder was er ook.", False),
])
def test_an_unsure_command_at_an_open_question_is_its_answer(action, answers, intent, confidence, text, kept):
    messages, events = run(action(), tracker(answers, intent=intent, text=text, confidence=confidence))
    slots = {e["name"]: e["value"] for e in events}
    if kept:
        assert slots["route_answers"]["s1_signalen"] == SAVED_MARK
        assert recorded_entries(slots["case_code"], "s1_signalen")[0].text == text
    else:
        assert "s1_signalen" not in (slots.get("route_answers") or {})
        if action is ActionExplainQuestion:
            assert messages  # the reason for the question


def test_an_unsure_command_outside_the_route_is_not_an_answer():
    tr = tracker(AT_SIGNALS, intent="resume", text="Gisteren bij het ophalen, moeder was er ook.", confidence=0.4)
    tr.active_loop = {}  # paused: 'verder' resumes, nothing is filed
    _, events = run(ActionResumeRoute(), tr)
    assert events == []


def test_a_statement_taken_for_what_now_at_an_open_question_is_read_as_its_answer():
    text = "Er hoeft nu niet meteen iets te gebeuren, het begon pas na de zomer."
    _, events = run(ActionNextStep(), tracker({"afweging_1": "ja"}, entry="4", intent="ask_next_step", text=text))
    slots = {e["name"]: e["value"] for e in events}
    assert slots["route_answers"]["afweging_2"] == "nee"
    # A real question stays a question: what comes next, the answer still open.
    _, events = run(ActionNextStep(), tracker({"afweging_1": "ja"}, entry="4", intent="ask_next_step",
                                              text="wat moet er nu gebeuren?"))
    assert not any(e.get("name") == "route_answers" for e in events)


def test_doubt_said_after_the_outcome_continues_the_same_route():
    from actions.route_form import ActionAnswerOutsideRoute

    _, events = run(ActionNextStep(), tracker({"afweging_1": "ja"}, entry="4", intent="ask_next_step",
                                              text="niet acuut, het speelt pas sinds de zomer."))
    code = {e["name"]: e["value"] for e in events}["case_code"]  # this conversation's case
    # The route decided "melden" at afweging 5 (help accepted, did not work); then the writer
    # doubts whether the parent really takes part: afweging 4 twijfel.
    decided = {**STEPS_1_3, **afw("ja", "nee", "ja", "ja", "nee")}
    text = "eerlijk gezegd weet ik niet of vader nou echt meewerkt met de gezinscoach, twijfel"
    tr = tracker(decided, entry="1", intent="doubt", text=text)
    tr.slots["case_code"] = code
    tr.events.append({"event": "user", "text": text})
    messages, events = run(ActionAnswerOutsideRoute(), tr)
    slots = {e["name"]: e["value"] for e in events}
    assert slots["route_answers"]["afweging_4"] == "twijfel", texts(messages)
    assert "Veilig Thuis" in texts(messages)
    # With no route in this conversation, "twijfel" gets the note that no question is open.
    messages, _ = run(ActionAnswerOutsideRoute(), tracker({}, entry=None, intent="doubt", text="twijfel"))
    assert [m.get("response") for m in messages] == ["utter_no_question_pending"]


def test_a_known_fact_told_again_at_a_closed_question_does_not_answer_it():
    # "Is er acuut gevaar?" answered with "ja, ..." about the dossier: the "ja" belongs to the
    # dossier (already known), so the question is asked again, and nothing is filed as acute.
    answers = {key: SAVED_MARK for key in ("s1_signalen", "s1_context", "s1_vermoeden", "s1_derden")}
    result, messages = validate(tracker(answers, text="ja, dat staat allemaal in het dossier"))
    assert result == {"route_answer": None}
    assert [m.get("response") for m in messages] == ["utter_story_known"]
    # A message that does not start with an answer word is read as before (asked again with buttons).
    result, messages = validate(tracker(answers, intent="inform", text="moeder heeft het allemaal in het dossier gezien"))
    assert "utter_story_known" not in [m.get("response") for m in messages]
    # The writer's own question answered ("Veilig Thuis? Nee, ..."): not an answer to this one.
    answers = {**answers, "s1_medewerker": "nee"}  # "thuis" in it would tell that again
    result, messages = validate(tracker(answers, intent="deny", text="Veilig Thuis? Nee, nog niet gebeld."))
    assert result == {"route_answer": None}
    assert [m.get("response") for m in messages] == ["utter_answer_buttons"]
    # Our own question echoed and answered is an answer.
    result, _ = validate(tracker(answers, intent="deny", text="Acuut gevaar? Nee, dat niet."))
    assert result["route_answers"]["s1_acuut"] == "nee"
    # A short plain answer still answers it.
    result, _ = validate(tracker(answers, intent="deny", text="nee hoor"))
    assert result["route_answers"]["s1_acuut"] == "nee"
    # At "Kan de school hulp bieden?", what the writer did with Veilig Thuis, read as "nee" by the
    # intent model: not an answer to the question about help.
    weighing = {**STEPS_1_3, **afw("ja", "nee")}
    result, messages = validate(tracker(weighing, entry="4", intent="deny",
                                        text="vt heb ik niet gebeld, wist niet dat dat al mocht"))
    assert result == {"route_answer": None}
    assert [m.get("response") for m in messages] == ["utter_answer_buttons"]


def test_help_evaluated_in_the_story_implies_the_suspicion_it_followed():
    # At afweging 1, a story of help that did not work within the term: there was a suspicion.
    answers = {**STEPS_1_3}
    text = "de hulp van het wijkteam liep acht weken, bij de evaluatie bleek er niets veranderd"
    result, _ = validate(tracker(answers, entry="4", text=text))
    assert result["route_answers"]["afweging_1"] == "ja"
    assert result["route_answers"]["afweging_5"] == "nee"
    # A suspicion already answered is never overwritten by the implication.
    result, _ = validate(tracker({**answers, "afweging_1": "twijfel"}, entry="4", text=text))
    assert result.get("route_answers", {}).get("afweging_1", "twijfel") == "twijfel"


def test_veilig_thuis_not_contacted_answers_no_weighing_and_no_doubt_question():
    # At afweging 2, "nee" about Veilig Thuis in other verbs is no "nee" about unsafety.
    weighing = {**STEPS_1_3, **afw("ja")}
    for text in ["Nee hoor, VT heb ik nog niet geraadpleegd.", "nee, we hebben veilig thuis nog niet benaderd"]:
        result, messages = validate(tracker(weighing, entry="4", intent="deny", text=text))
        assert result == {"route_answer": None}, text
        assert [m.get("response") for m in messages] == ["utter_answer_buttons"], text
    # At "Twijfelen jij of je IB'er …?" (s2_advies), Veilig Thuis not called says nothing of doubt.
    step2 = {**STEP1, "s2_ib": "ja"}
    result, messages = validate(tracker(step2, intent="deny", text="Nee, met VT heb ik nog geen contact opgenomen."))
    assert result == {"route_answer": None}
    assert [m.get("response") for m in messages] == ["utter_answer_buttons"]
    # An answer about the doubt itself still answers it.
    result, _ = validate(tracker(step2, intent="deny", text="nee, we twijfelen niet, vt hoeven we niet te bellen"))
    assert result["route_answers"]["s2_advies"] == "nee"
