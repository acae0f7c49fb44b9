"""No conversation text in any log: not when an action fails, not when a message times out.

A Rasa server (REST channel, its own --log-file, a short response timeout) reaches the action
server through a TCP switch (`Switch`) whose target the test changes:
1. a working action server: the route, with a marker in a message and in a free-text answer;
2. an action server with a mistyped case-log URL (an action then raises): Rasa used to log the
   action server's error answer, which held the whole tracker;
3. nothing that answers: the message times out, and Rasa's REST handler used
   to log its text.
Then no log file, stdout or stderr of any of them holds the marker.
"""
from __future__ import annotations

import io
import logging
import random
import socket
import string
import threading
import uuid
from typing import Iterator, List, Optional, Tuple

import pytest
import requests
import structlog

from bot import log_privacy
from conftest import Chat, start_actions, start_rasa, stop
from pg import TcpProxy

MARKER = "zqxmerk" + "".join(random.choices(string.ascii_lowercase, k=10))  # no name, no number
RESPONSE_TIMEOUT_S = 20


class Switch:
    """127.0.0.1:<port> -> `target` (host, port), chosen per connection (Rasa opens one per
    action call); with `target` None a connection is accepted and never answered."""

    def __init__(self, target: Optional[Tuple[str, int]]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.held: List[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.target is None:
                self.held.append(client)
                continue
            server = socket.create_connection(self.target)
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=TcpProxy._pipe, args=(a, b), daemon=True).start()

    def close(self) -> None:
        self.listener.close()
        for sock in self.held:
            sock.close()


@pytest.fixture(scope="module")
def servers(model_path, tmp_path_factory) -> Iterator[dict]:
    tmp = tmp_path_factory.mktemp("logprivacy")
    working = start_actions(tmp, {"MELDWIJZER_DB_URL": f"sqlite:///{tmp / 'caselog.db'}"})
    broken = start_actions(tmp, {"MELDWIJZER_DB_URL": "sqlitee:///caselog.db"})  # a typo in the URL
    switch = Switch(("127.0.0.1", working.port))
    rasa = None
    try:
        # Rasa applies --response-timeout only with --enable-api; Sanic reads it from the environment.
        rasa = start_rasa(model_path, f"http://127.0.0.1:{switch.port}/webhook", tmp,
                          env={"SANIC_RESPONSE_TIMEOUT": str(RESPONSE_TIMEOUT_S)},
                          extra_args=["--log-file", str(tmp / "rasa-file.log")])
        yield {"tmp": tmp, "rasa": rasa, "switch": switch, "broken": broken}
    finally:
        for process in (rasa, working, broken):
            if process is not None:
                stop(process)
        switch.close()


def test_no_message_text_in_any_log(servers):
    rasa, switch, tmp = servers["rasa"], servers["switch"], servers["tmp"]
    chat = Chat(rasa.base_url, f"logtest-{uuid.uuid4().hex[:8]}")
    assert "Is er acuut gevaar" in chat.say(f"ik heb een niet-pluisgevoel over een leerling {MARKER}")
    chat.say("/deny")
    assert "Wat heb je gezien" in chat.say("/deny")
    assert "Wanneer en waar" in chat.say(f"Een blauwe plek op de arm, {MARKER} zag het in de klas.")

    switch.target = ("127.0.0.1", servers["broken"].port)  # the next action raises
    chat.send(f"Dinsdag in de gymzaal, {MARKER} was erbij.")

    switch.target = None  # the next action never answers
    try:  # after the timeout the user gets the fallback reply, or Sanic's 503
        chat.send(f"Nog iets: {MARKER} belde later.")
    except (AssertionError, requests.RequestException):
        pass

    stop(rasa)  # all written and flushed
    logs = {path.name: path.read_text(encoding="utf-8", errors="replace") for path in tmp.glob("*.log")}
    assert len(logs) == 4  # the Rasa server's output and --log-file, both action servers' output
    assert [name for name, text in logs.items() if MARKER in text] == []
    # Both paths ran (else this test would prove nothing):
    rasa_log = logs[rasa.log.name] + logs["rasa-file.log"]
    assert "Encountered an exception while running action" in rasa_log
    assert "rest.message.received.timeout" in rasa_log
    assert "NoSuchModuleError" in logs[servers["broken"].log.name]


def test_structlog_keeps_no_text_and_no_local_variables():
    # Rasa's JSON log chain (rasa/utils/log_utils.py), with our processor in front.
    out = io.StringIO()
    log = structlog.wrap_logger(structlog.PrintLogger(out), processors=[
        log_privacy.scrub_event, structlog.processors.dict_tracebacks,
        structlog.processors.JSONRenderer()])

    def handle(text: str) -> None:
        raise ValueError("kapot")

    try:
        handle(MARKER)
    except ValueError:
        log.exception("rest.message.received.failure", text=MARKER)
    written = out.getvalue()
    assert "ValueError: kapot" in written and "rest.message.received.failure" in written
    assert MARKER not in written


def test_an_error_answer_body_stays_out_of_log_records():
    from rasa.utils.endpoints import ClientResponseError

    log_privacy.install()
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    logger = logging.getLogger("rasa.core.processor.test-log-privacy")
    logger.addHandler(handler)
    try:
        try:
            raise ClientResponseError(500, "Internal Server Error", f'{{"text": "{MARKER}"}}'.encode())
        except ClientResponseError as error:
            logger.exception("Encountered an exception while running action")
            logger.warning(f"Failed to execute custom action as a result of error '{error}'.")
            logger.error("Failed: %s", error)
    finally:
        logger.removeHandler(handler)
    written = out.getvalue()
    assert "ClientResponseError: 500, Internal Server Error, body=[weggelaten]" in written
    assert "as a result of error '500, Internal Server Error, body=[weggelaten]" in written
    assert "Failed: 500, Internal Server Error, body=[weggelaten]" in written
    assert MARKER not in written
