"""The case log as staff meet it: real conversations through the REST channel, against the
running action server, with the encrypted SQL tracker store, on SQLite and on PostgreSQL.

For PostgreSQL the action server reaches the database through a TCP proxy, so a test can
stop the database under a running conversation (tests/pg.py)."""
from __future__ import annotations

import os
import re
import stat
import time
from pathlib import Path
from typing import Dict, Iterator

import pytest
import requests
import sqlalchemy as sa

from actions.server_guard import ACTION_HEADER
from conftest import REST_AUTH, Chat, TelegramChat, render
from stacks import BACKENDS, IB_USER, Stack, open_stack

CODE = re.compile(r"MW-\d{4}-\d{4}")


@pytest.fixture(scope="module", params=BACKENDS)
def stack(request, model_path, tmp_path_factory) -> Iterator[Stack]:
    yield from open_stack(request.param, model_path, tmp_path_factory.mktemp(f"case-{request.param}"))


def new_chat(stack: Stack, request, suffix: str = "") -> Chat:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)[-40:]
    return Chat(stack.base_url, f"case-{safe}{suffix}-{time.monotonic_ns()}")


def start(chat: Chat) -> str:
    text = chat.say("ik heb een niet-pluisgevoel over een leerling")
    match = CODE.search(text)
    assert match, text
    assert "Is er acuut gevaar" in text
    return match.group()


def test_the_route_opens_a_case_and_says_its_code(stack, request):
    chat = new_chat(stack, request)
    text = chat.say("ik heb een niet-pluisgevoel over een leerling")
    assert re.search(r"Ik heb casus MW-\d{4}-\d{4} geopend", text)
    assert "nooit de naam van het kind" in text
    assert text.index("casus MW-") < text.index("Is er acuut gevaar")


def test_my_cases_in_the_middle_of_the_route_then_the_question_again(stack, request):
    chat = new_chat(stack, request)
    code = start(chat)
    chat.say("/deny")
    text = chat.say("welke casussen heb ik open staan")
    assert code in text and "Gaat je vermoeden over een medewerker" in text


def test_answers_are_kept_and_exported_with_names_left_out(stack, request):
    chat = new_chat(stack, request)
    code = start(chat)
    chat.say("/deny")
    chat.say("/deny")
    text = chat.say("Sem Bakker had een blauwe plek op zijn wang, gezien bij binnenkomst.")
    assert "leek een volledige naam" in text and "Wanneer en waar" in text
    chat.say("Woensdag om half negen bij de klassendeur, zijn moeder was erbij.")
    text = chat.say("geef me de dossiernotitie")
    assert f"DOSSIERNOTITIE MELDCODE - casus {code}" in text
    assert "[naam] had een blauwe plek op zijn wang" in text and "Sem Bakker" not in text
    assert "Woensdag om half negen bij de klassendeur" in text
    assert "Kopieer deze notitie naar het leerlingdossier in ParnasSys" in text


def test_only_the_creator_and_the_ib_see_a_case(stack, request):
    teacher = new_chat(stack, request, "-a")
    code = start(teacher)
    other = new_chat(stack, request, "-b")
    refused = other.say(f"exporteer {code}")
    unknown = other.say("exporteer MW-2026-9999")
    assert f"Ik vind geen casus {code}" in refused
    assert refused.replace(code, "X") == unknown.replace("MW-2026-9999", "X")
    ib = TelegramChat(stack.base_url, IB_USER)
    assert code in ib.say("mijn casussen")  # the IB sees a colleague's case (not its content:
    assert "door een collega geopend" in ib.say(f"verder met {code}")  # Telegram gets no export)


def forged_export(stack: Stack, code: str, conversation: str, headers: Dict[str, str]) -> requests.Response:
    """An action call as the Rasa server makes it, as if the case's owner (`conversation`, a
    REST conversation id) had typed 'exporteer <code>'."""
    text = f"exporteer {code}"
    tracker = {"sender_id": conversation, "slots": {}, "paused": False, "followup_action": None,
               "latest_message": {"text": text, "intent": {"name": "export_case"}},
               "events": [{"event": "user", "text": text, "input_channel": "rest"}],
               "active_loop": {}, "latest_action_name": "action_listen"}
    return requests.post(stack.actions.webhook, headers=headers, timeout=30, json={
        "next_action": "action_export_case", "sender_id": conversation, "tracker": tracker,
        "domain": {}, "version": "3.6.21"})


def test_a_forged_action_call_gets_no_dossier(stack, request):
    # Any process on the server could post a tracker that names someone else as the sender.
    chat = new_chat(stack, request)
    code = start(chat)
    chat.say("/deny")
    chat.say("/deny")
    chat.say("Een rode striem in de nek, gezien tijdens het buitenspelen.")
    for headers in ({}, {ACTION_HEADER: "geraden-geheim-van-voldoende-lengte"}):
        refused = forged_export(stack, code, chat.conversation_id, headers)
        assert refused.status_code == 403, refused.text
        assert "striem" not in refused.text and "DOSSIERNOTITIE" not in refused.text
    answered = forged_export(stack, code, chat.conversation_id,
                             {ACTION_HEADER: os.environ["MELDWIJZER_ACTION_SECRET"]})
    assert answered.status_code == 200
    assert "Een rode striem in de nek" in answered.text  # the Rasa server's calls still run


def test_the_case_log_file_is_for_this_user_only(stack, request):
    if stack.kind != "sqlite":
        pytest.skip("a file only on SQLite")
    start(new_chat(stack, request))
    database = Path(sa.engine.make_url(stack.case_url).database)
    assert stat.S_IMODE(database.stat().st_mode) == 0o600


def test_no_rest_sender_is_the_ib(stack, request):
    """The IB is a Telegram user (proven by the relay's secret). A REST integration may name any
    sender: no spelling of the IB's id gives it the IB's view of every case (issue 13, #3)."""
    teacher = new_chat(stack, request, "-t")
    code = start(teacher)
    ib = TelegramChat(stack.base_url, IB_USER)
    ib_code = start(ib)
    seen = ib.say("mijn casussen")
    assert code in seen and ib_code in seen  # the IB's view: a colleague's case too
    for spelling in (IB_USER, f"telegram:{IB_USER}", f"telegram-{IB_USER}", "ib-gesprekstest",
                     "ib-voorbeeldschool", "rest:ib-gesprekstest", f"{IB_USER}/x"):
        response = requests.post(stack.base_url + "/webhooks/rest/webhook", headers=REST_AUTH, timeout=60,
                                 json={"sender": spelling, "message": "mijn casussen"})
        text = render(response.json()) if response.status_code == 200 else response.text
        assert code not in text and ib_code not in text, (spelling, text)
        export = requests.post(stack.base_url + "/webhooks/rest/webhook", headers=REST_AUTH, timeout=60,
                               json={"sender": spelling, "message": f"exporteer {code}"})
        assert "DOSSIERNOTITIE" not in export.text, spelling


def test_closing_a_case_records_the_conclusion(stack, request):
    chat = new_chat(stack, request)
    code = start(chat)
    text = chat.say("ik wil deze casus afsluiten")
    assert "Wat is je conclusie?" in text
    text = chat.say("Na het gesprek met de ouders en advies van Veilig Thuis geen zorgen meer.")
    assert f"Casus {code} is afgesloten" in text and "bewaard tot" in text
    assert code not in chat.say("mijn casussen")
    note = chat.say(f"exporteer {code}")
    assert "Conclusie: Na het gesprek met de ouders en advies van Veilig Thuis geen zorgen meer." in note


def test_a_note_from_someone_else_needs_its_source(stack, request):
    chat = new_chat(stack, request)
    code = start(chat)
    text = chat.say("ik wil een notitie toevoegen")
    assert "Wat voor notitie is het?" in text and "[Van een ander (bron)]" in text
    assert "Schrijf de notitie" in chat.say("van een ander")
    assert "Van wie komt deze informatie" in chat.say("Hij komt vaak zonder ontbijt naar de opvang.")
    text = chat.say("pedagogisch medewerker van de opvang")
    assert f"Notitie opgeslagen in casus {code}" in text
    note = chat.say("exporteer")
    assert "Hij komt vaak zonder ontbijt naar de opvang. (bron: pedagogisch medewerker van de opvang)" in note
    # the route was paused for the note and goes on where it was
    assert "Is er acuut gevaar" in chat.say("verder")


def test_a_case_is_continued_by_its_code_where_it_stopped(stack, request):
    chat = new_chat(stack, request)
    first = start(chat)
    chat.say("/deny")
    chat.say("/deny")
    chat.say("Schrammen op beide onderarmen.")
    assert "Gepauzeerd" in chat.say("pauze")
    second = start(chat)  # a new worry: another case
    assert second != first
    text = chat.say(f"verder met {first}")
    assert f"verder met casus {first}" in text and "Wanneer en waar" in text


def test_a_conversation_survives_a_crash_of_the_rasa_server(stack, request):
    chat = new_chat(stack, request)
    code = start(chat)
    chat.say("/deny")
    chat.say("/deny")
    # A free-text answer in the middle of step 1, then kill -9 before the next answer.
    assert "Wanneer en waar" in chat.say("Schrammen op beide onderarmen, gezien bij het omkleden.")
    stack.kill_and_restart_rasa()
    chat = Chat(stack.base_url, chat.sender)  # same user, new server
    assert "Wanneer en waar" in chat.say("waarom vraag je dit?")  # still the same question
    text = chat.say("Dinsdag in de kleedruimte van de gymzaal, de vakleerkracht was erbij.")
    assert "vermoeden of een verklaring" in text  # taken as its answer: the next question
    note = chat.say("exporteer")
    assert code in note and "Schrammen op beide onderarmen" in note and "Dinsdag in de kleedruimte" in note


def test_the_tracker_store_keeps_no_readable_text(stack, request):
    chat = new_chat(stack, request)
    start(chat)
    chat.say("/deny")
    chat.say("/deny")
    chat.say("Fleur de Graaf kwam met natte kleren en een schram op school.")
    engine = sa.create_engine(stack.tracker_url)
    with engine.connect() as conn:
        rows = list(conn.execute(sa.text("SELECT data, intent_name, action_name FROM events "
                                         "WHERE sender_id = :s"), {"s": chat.conversation_id}))
    engine.dispose()
    assert rows and all(row[0].startswith("gAAAAA") for row in rows)
    assert not any("schram" in row[0] or "Graaf" in row[0] for row in rows)
    assert all(row[1] is None and row[2] is None for row in rows)  # no intent or action in plain text


def test_a_stopped_database_loses_nothing_and_the_safety_net_still_works(stack, request):
    if stack.proxy is None:
        pytest.skip("a SQLite file cannot be stopped; tests/case_log/test_dialogue.py covers a dead URL")
    chat = new_chat(stack, request)
    code = start(chat)
    chat.say("/deny")
    stack.proxy.down()
    try:
        text = chat.say("/deny")
        assert "nog niet opgeslagen" in text and "Wat heb je gezien" in text
        text = chat.say("Blauwe plekken in de nek, gezien bij het omkleden voor gym.")
        assert "nog niet opgeslagen" in text and "Wanneer en waar" in text
        text = chat.say("ze zegt dat papa haar slaat als hij boos is")
        assert "0800-2000" in text and "112" in text
        assert "niet bereikbaar" in chat.say("mijn casussen")
    finally:
        stack.proxy.up()
    text = chat.say("Vrijdag in de gymzaal, de vakleerkracht was erbij.")
    assert "alsnog opgeslagen" in text
    note = chat.say("exporteer")
    assert code in note and "Blauwe plekken in de nek" in note and "Vrijdag in de gymzaal" in note
    assert "ze zegt dat papa haar slaat" in note
