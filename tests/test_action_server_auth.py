"""Only the Rasa server may call the action server: every call shows the shared secret
(header X-Meldwijzer-Action, actions/server_guard.py), and without a secret the action server
does not start. The forged export of a real case is in tests/test_case_conversations.py."""
from __future__ import annotations

import os
import stat
import subprocess

import pytest
import requests

from actions.server_guard import ACTION_HEADER
from conftest import ROOT, SERVER_ENV, VENV_BIN, free_port, start_actions, stop

SECRET = os.environ["MELDWIJZER_ACTION_SECRET"]


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def forged_call(webhook: str, headers) -> requests.Response:
    """What any local process can send: an action call naming someone as the sender."""
    text = "welke casussen heb ik open staan"
    tracker = {"sender_id": "ib-gesprekstest", "slots": {}, "paused": False, "followup_action": None,
               "latest_message": {"text": text, "intent": {"name": "my_cases"}},
               "events": [{"event": "user", "text": text, "input_channel": "rest"}],
               "active_loop": {}, "latest_action_name": "action_listen"}
    return requests.post(webhook, headers=headers, timeout=30, json={
        "next_action": "action_my_cases", "sender_id": "ib-gesprekstest", "tracker": tracker,
        "domain": {}, "version": "3.6.21"})


def test_a_call_without_the_secret_runs_no_action(action_server):
    for headers in ({}, {ACTION_HEADER: ""}, {ACTION_HEADER: SECRET[:-1] + "x"}):
        refused = forged_call(action_server, headers)
        assert refused.status_code == 403, refused.text
        assert "events" not in refused.json() and "responses" not in refused.json()
        base = action_server.rsplit("/", 1)[0]
        assert requests.get(base + "/actions", headers=headers, timeout=10).status_code == 403
    answered = forged_call(action_server, {ACTION_HEADER: SECRET})
    assert answered.status_code == 200 and "responses" in answered.json()
    assert requests.get(base + "/health", timeout=10).json() == {"status": "ok"}


@pytest.mark.parametrize("secret", ["", "te-kort"])
def test_the_action_server_does_not_start_without_a_secret(secret, tmp_path):
    env = {**SERVER_ENV, "MELDWIJZER_ACTION_SECRET": secret,
           "MELDWIJZER_ACTION_SECRET_FILE": str(tmp_path / "geen.secret"), "PYTHONWARNINGS": "ignore"}
    finished = subprocess.run(
        [str(VENV_BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(free_port())],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert finished.returncode != 0
    assert "De action server start niet" in finished.stderr + finished.stdout


def test_make_actions_makes_a_secret_for_this_user_only(tmp_path):
    # `make actions` alone (no MELDWIJZER_ACTION_SECRET): bot/run_actions.sh makes the file.
    secret_file = tmp_path / "var" / "action.secret"
    server = start_actions(tmp_path, {"MELDWIJZER_ACTION_SECRET": "",
                                      "MELDWIJZER_ACTION_SECRET_FILE": str(secret_file)})
    try:
        assert mode(secret_file) == 0o600 and mode(secret_file.parent) == 0o700
        made = secret_file.read_text().strip()
        assert len(made) >= 32
        base = f"http://127.0.0.1:{server.port}"
        assert requests.get(base + "/actions", headers={ACTION_HEADER: made}, timeout=10).status_code == 200
        assert requests.get(base + "/actions", headers={ACTION_HEADER: SECRET}, timeout=10).status_code == 403
    finally:
        stop(server)
