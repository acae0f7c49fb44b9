"""What the case log records for each answer of the guided route (pure function, tables)."""
from __future__ import annotations

import datetime as dt

import pytest

from actions.case_log.route_record import add_working_days, parse_term, term_writes, writes_for_answer
from actions.meldcode_route import walk

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone.utc)  # a Monday
STEP_1 = {"s1_acuut": "nee", "s1_medewerker": "nee", "s1_signalen": "Blauwe plek op de arm.",
          "s1_context": "Maandag in de klas, alleen ik erbij.", "s1_vermoeden": "nee",
          "s1_derden": "nee", "s1_kindcheck": "nee"}
TO_STEP_3 = {**STEP_1, "s2_ib": "ja", "s2_advies": "nee", "s2_toestemming": "ja",
             "s3_eer_vgv": "nee"}
TO_STEP_4 = {**TO_STEP_3, "s3_veilig": "ja", "s3_vertrek": "nee", "s3_gevoerd": "ja"}


def record(answers: dict, key: str, value: str, entry: int = 1, changed: bool = False):
    before = walk({k: v for k, v in answers.items() if k != key}, entry)
    after = walk({**answers, key: value}, entry)
    return writes_for_answer(before, after, key, value, NOW, changed=changed)


def ops(writes, op):
    return [w for w in writes if w["op"] == op]


@pytest.mark.parametrize("key, value, kind", [
    ("s1_signalen", "Blauwe plek op de arm.", "fact"),
    ("s1_signalen", "Ik denk dat hij thuis geslagen wordt.", "hypothesis"),
    ("s1_vermoeden", "Misschien spanningen thuis.", "hypothesis"),
    ("s1_derden", "Moeder vertelde dat hij slecht slaapt (bron: moeder).", "third_party"),
])
def test_free_text_is_recorded_with_its_kind(key, value, kind):
    answers = {k: v for k, v in STEP_1.items()}
    [entry] = ops(record(answers, key, value), "entry")
    assert (entry["question"], entry["kind"], entry["text"], entry["step"]) == (key, kind, value, 1)


def test_no_third_party_information_is_an_answer_not_a_note():
    [entry] = ops(record(STEP_1, "s1_derden", "nee"), "entry")
    assert entry["answer"] == "nee" and "text" not in entry


@pytest.mark.parametrize("answers, key, value, outcome", [
    ({}, "s1_acuut", "ja", "stopped:acuut"),
    ({"s1_acuut": "nee"}, "s1_medewerker", "ja", "stopped:medewerker"),
    ({"s1_acuut": "nee"}, "s1_medewerker", "weet_niet", "wait:medewerker_twijfel"),
    ({**STEP_1}, "s2_ib", "nee", "wait:ib"),
])
def test_stops_and_waits_are_recorded(answers, key, value, outcome):
    writes = record(answers, key, value)
    assert any(w.get("outcome") == outcome for w in ops(writes, "entry"))
    assert ops(writes, "position")[-1]["position"] == outcome


@pytest.mark.parametrize("answers, key, value, discussed, reason", [
    ({**TO_STEP_3}, "s3_veilig", "nee", "nee", "veiligheid"),
    ({**TO_STEP_3, "s3_veilig": "ja"}, "s3_vertrek", "ja", "nee", "contact verbreekt"),
    ({**STEP_1, "s2_ib": "ja", "s2_advies": "nee", "s2_toestemming": "ja"}, "s3_eer_vgv", "ja",
     "nee", "eergerelateerd"),
    ({**TO_STEP_3, "s3_veilig": "ja", "s3_vertrek": "nee"}, "s3_gevoerd", "ja", "ja", None),
])
def test_whether_the_parents_were_spoken_to_and_why_not(answers, key, value, discussed, reason):
    [parents] = ops(record(answers, key, value), "parents")
    assert parents["discussed"] == discussed
    assert (parents["reason"] is None) if reason is None else (reason in parents["reason"])


@pytest.mark.parametrize("afweging, last_key, decision, follow_up", [
    ({"afweging_1": "nee"}, "afweging_1", "close_no_suspicion", None),
    ({"afweging_1": "ja", "afweging_2": "twijfel"}, "afweging_2", "melden_2", "vt_response"),
    ({"afweging_1": "ja", "afweging_2": "nee", "afweging_3": "nee"}, "afweging_3", "melden_3", "vt_response"),
    ({"afweging_1": "ja", "afweging_2": "nee", "afweging_3": "ja", "afweging_4": "ja"}, "afweging_4",
     "organise_help", "check_help"),
    ({"afweging_1": "ja", "afweging_2": "nee", "afweging_3": "ja", "afweging_4": "ja", "afweging_5": "nee"},
     "afweging_5", "melden_5", "vt_response"),
    ({"afweging_1": "ja", "afweging_2": "nee", "afweging_3": "ja", "afweging_4": "ja", "afweging_5": "ja"},
     "afweging_5", "close_help_monitor", None),
    ({"afweging_1": "ja", "afweging_2": "nee", "afweging_3": "twijfel"}, "afweging_3", "consult_vt", None),
])
def test_decisions_carry_their_answers_and_follow_ups(afweging, last_key, decision, follow_up):
    writes = record({**TO_STEP_4, **afweging}, last_key, afweging[last_key])
    [recorded] = ops(writes, "decision")
    assert recorded["decision"] == decision
    assert recorded["answers"] == afweging
    assert [f["kind"] for f in ops(writes, "follow_up")] == ([follow_up] if follow_up else [])


def test_a_question_on_the_way_records_no_decision():
    writes = record({**TO_STEP_4, "afweging_1": "ja"}, "afweging_1", "ja")
    assert ops(writes, "decision") == [] and ops(writes, "position")[-1]["position"] == "afweging_2"


def test_a_changed_answer_records_the_new_decision_once():
    decided = {**TO_STEP_4, "afweging_1": "ja", "afweging_2": "nee", "afweging_3": "nee"}
    before = walk(decided, 1)
    after = walk({**decided, "afweging_2": "ja"}, 1)
    writes = writes_for_answer(before, after, "afweging_2", "ja", NOW, changed=True)
    assert [d["decision"] for d in ops(writes, "decision")] == ["melden_2"]
    assert ops(writes, "entry")[0]["outcome"] == "answer_changed"
    same = writes_for_answer(after, after, "afweging_2", "ja", NOW, changed=True)
    assert ops(same, "decision") == []


@pytest.mark.parametrize("start, days, expected", [
    (dt.datetime(2026, 11, 23, 10, tzinfo=dt.timezone.utc), 5, dt.date(2026, 11, 30)),  # Mon -> Mon
    (dt.datetime(2026, 11, 27, 10, tzinfo=dt.timezone.utc), 1, dt.date(2026, 11, 30)),  # Fri -> Mon
    (dt.datetime(2026, 12, 23, 10, tzinfo=dt.timezone.utc), 2, dt.date(2026, 12, 28)),  # over Christmas
])
def test_working_days_skip_weekends_and_public_holidays(start, days, expected):
    assert add_working_days(start, days).date() == expected


@pytest.mark.parametrize("text, days", [
    ("termijn 6 weken", 42), ("we spreken een termijn van twee maanden af", 60),
    ("over 10 dagen kijken we opnieuw", 10), ("3 wk", 21), ("een week", 7),
    ("ja", None), ("0 dagen", None), ("over 500 dagen", None), ("groep 6", None),
])
def test_the_agreed_term_is_read_from_what_staff_type(text, days):
    term = parse_term(text)
    assert (term.days if term else None) == days


def test_the_term_becomes_a_reminder_for_afweging_5():
    writes = term_writes(dt.timedelta(days=42), NOW)
    [follow_up] = ops(writes, "follow_up")
    assert follow_up["kind"] == "help_term"
    assert follow_up["due_at"] == (NOW + dt.timedelta(days=42)).isoformat()
