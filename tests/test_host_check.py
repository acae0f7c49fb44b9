"""DNS rebinding: a web page whose host name was pointed at 127.0.0.1 can reach a Meldwijzer
server, but its requests carry the page's host name. The Rasa server answers only requests for
its own names (bot/host_check.py): loopback, or MELDWIJZER_ALLOWED_HOSTS."""
from __future__ import annotations

import pytest
import requests

from bot.host_check import host_allowed

from conftest import REST_AUTH


@pytest.mark.parametrize("path", ["/", "/webhooks/webchat/", "/webhooks/rest/webhook",
                                  "/webhooks/telegram/webhook"])
def test_a_request_for_another_host_name_is_refused_everywhere(rasa_server, path):
    rebound = {"Host": "aanvaller.example:5005", **REST_AUTH}
    answer = requests.post(rasa_server + path, json={"sender": "x", "message": "mijn casussen"},
                           headers=rebound, timeout=30)
    if path == "/":
        answer = requests.get(rasa_server + path, headers=rebound, timeout=30)
    assert answer.status_code == 421
    assert "0800-2000" in answer.text and "casus" not in answer.text.lower()


def test_requests_for_this_server_go_through(rasa_server):
    page = requests.get(rasa_server + "/webhooks/webchat/", timeout=30)  # Host: 127.0.0.1:<port>
    assert page.status_code == 200
    named = requests.get(rasa_server + "/webhooks/webchat/",
                         headers={"Host": "localhost:5005"}, timeout=30)
    assert named.status_code == 200


def test_the_school_names_its_own_host(monkeypatch):
    assert not host_allowed("meldwijzer.school.example")
    monkeypatch.setenv("MELDWIJZER_ALLOWED_HOSTS", "meldwijzer.school.example, intranet.example")
    assert host_allowed("Meldwijzer.School.Example:443") and host_allowed("intranet.example")
    assert host_allowed("127.0.0.1:5005") and host_allowed("[::1]:5005") and host_allowed("localhost")
    assert not host_allowed("127.0.0.1.aanvaller.example") and not host_allowed("")
