"""The case log inside the guided route, run with rasa-sdk's dispatcher and tracker on
SQLite and PostgreSQL: a case is opened with a code, every answer is written as it comes,
names are not stored, and an unreachable database loses nothing."""
from __future__ import annotations

import asyncio
import inspect

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.case_log.dialogue import SAVED_MARK, get_store
from actions.case_log.store import Actor
from actions.route_form import ActionStartRoute, ValidateMeldcodeForm

DEAD_URL = "postgresql://postgres@127.0.0.1:1/meldwijzer"
USER = Actor("rest", "dialogue-test")


@pytest.fixture
def case_db(db_url, monkeypatch):
    monkeypatch.setenv("MELDWIJZER_DB_URL", db_url)
    return db_url


class Conversation:
    """The slots of one conversation, carried from action to action as Rasa would."""

    def __init__(self) -> None:
        self.slots = {"route_answers": {}, "route_entry": None, "case_code": None, "case_pending": None}
        self.said = []

    def tracker(self, intent: str, text: str) -> Tracker:
        latest = {"intent": {"name": intent, "confidence": 0.9}, "entities": [], "text": text}
        return Tracker(USER.id, {**self.slots, "requested_slot": "route_answer"}, latest,
                       [{"event": "user", "input_channel": USER.channel}], False,
                       None, {"name": "meldcode_form"}, "action_listen")

    def _said(self, dispatcher: CollectingDispatcher) -> str:
        text = "\n".join(m.get("text") or m.get("response") or "" for m in dispatcher.messages)
        self.said.append(text)
        return text

    def start(self) -> str:
        dispatcher = CollectingDispatcher()
        events = asyncio.run(ActionStartRoute().run(dispatcher, self.tracker("report_worry", "zorgen"), {}))
        for event in events:
            self.slots[event["name"]] = event["value"]
        return self._said(dispatcher)

    def answer(self, intent: str, text: str) -> str:
        dispatcher = CollectingDispatcher()
        result = ValidateMeldcodeForm().validate_route_answer(text, dispatcher, self.tracker(intent, text), {})
        result = asyncio.run(result) if inspect.isawaitable(result) else result
        self.slots.update({k: v for k, v in result.items() if k in self.slots})
        return self._said(dispatcher)


def test_starting_the_route_opens_a_case_and_tells_its_code(case_db):
    chat = Conversation()
    said = chat.start()
    code = chat.slots["case_code"]
    assert code and code.startswith("MW-") and "utter_case_opened" in said
    case = get_store().read_case(code, USER)
    assert case.status == "open" and case.route_entry == 1 and case.opened_by == USER.id


def test_every_answer_is_written_as_it_comes(case_db):
    chat = Conversation()
    chat.start()
    chat.answer("deny", "nee")
    chat.answer("deny", "nee")
    chat.answer("school_matter", "Blauwe plek op de bovenarm.")
    case = get_store().read_case(chat.slots["case_code"], USER)
    assert [(e.question, e.answer, e.kind, e.text) for e in case.entries] == [
        ("s1_acuut", "nee", None, None), ("s1_medewerker", "nee", None, None),
        ("s1_signalen", None, "fact", "Blauwe plek op de bovenarm.")]
    assert case.position == "s1_context"
    assert chat.slots["route_answers"]["s1_signalen"] == SAVED_MARK  # no free text in the tracker


def test_a_full_name_is_warned_about_and_not_stored(case_db):
    chat = Conversation()
    chat.start()
    chat.answer("deny", "nee")
    chat.answer("deny", "nee")
    said = chat.answer("school_matter", "Emma Jansen had een blauwe plek, BSN 123456782.")
    assert "utter_no_names_stored" in said
    [entry] = [e for e in get_store().read_case(chat.slots["case_code"], USER).entries
               if e.question == "s1_signalen"]
    assert entry.text == "[naam] had een blauwe plek, BSN [BSN]."


def test_an_unreachable_database_loses_nothing_and_catches_up(case_db, monkeypatch):
    chat = Conversation()
    chat.start()
    code = chat.slots["case_code"]
    chat.answer("deny", "nee")
    monkeypatch.setenv("MELDWIJZER_DB_URL", DEAD_URL)  # the database goes away
    said = chat.answer("deny", "nee")
    assert "utter_case_not_saved" in said
    said = chat.answer("school_matter", "Blauwe plek op de bovenarm.")
    assert "utter_case_not_saved" in said
    pending = chat.slots["case_pending"]
    assert [w.get("question") for w in pending if w["op"] == "entry"] == ["s1_medewerker", "s1_signalen"]
    # the route goes on meanwhile; the text stays in the conversation until it is saved
    assert chat.slots["route_answers"]["s1_signalen"] == "Blauwe plek op de bovenarm."
    monkeypatch.setenv("MELDWIJZER_DB_URL", case_db)  # and comes back
    said = chat.answer("school_matter", "Maandag in de klas.")
    assert "utter_case_saved_later" in said and chat.slots["case_pending"] is None
    case = get_store().read_case(code, USER)
    assert [e.question for e in case.entries] == ["s1_acuut", "s1_medewerker", "s1_signalen", "s1_context"]
    assert case.entries[2].text == "Blauwe plek op de bovenarm."
    # saved now: the conversation keeps no free text any more
    assert chat.slots["route_answers"]["s1_signalen"] == SAVED_MARK
    assert chat.slots["route_answers"]["s1_context"] == SAVED_MARK


def test_a_case_opened_while_the_database_is_away_is_opened_later(case_db, monkeypatch):
    monkeypatch.setenv("MELDWIJZER_DB_URL", DEAD_URL)
    chat = Conversation()
    said = chat.start()
    assert "utter_case_not_saved" in said and chat.slots["case_code"] is None
    chat.answer("deny", "nee")
    monkeypatch.setenv("MELDWIJZER_DB_URL", case_db)
    said = chat.answer("deny", "nee")
    assert "utter_case_opened" in said and "utter_case_saved_later" in said
    case = get_store().read_case(chat.slots["case_code"], USER)
    assert [e.question for e in case.entries] == ["s1_acuut", "s1_medewerker"]


def test_a_pending_write_is_written_only_for_the_user_who_made_it(case_db):
    """What an intruder's failed write leaves in a conversation is never written into the
    conversation's case under its own user's name (issue 13, finding 7)."""
    chat = Conversation()
    chat.start()
    code = chat.slots["case_code"]
    intruder = Actor("rest", "tests/indringer")
    chat.slots["case_pending"] = [{"op": "entry", "at": "2026-11-23T09:00:00+00:00", "step": 1,
                                   "kind": "fact", "text": "Tekst van een ander.", "by": intruder.id}]
    said = chat.answer("deny", "nee")
    assert "utter_case_saved_later" not in said and chat.slots["case_pending"] is None
    case = get_store().read_case(code, USER)
    assert [e.question for e in case.entries] == ["s1_acuut"]
    assert all(e.text != "Tekst van een ander." and e.author == USER.id for e in case.entries)
