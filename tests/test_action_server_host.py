"""The action server answers the Rasa server on this machine only: it trusts what it is sent
(who asks, which case) once the call shows the shared secret (tests/test_action_server_auth.py),
and it is not reachable from the school network either.
Started as `make chat`, `make webchat` and `make actions` start it (bot/run_actions.sh)."""
from __future__ import annotations

from conftest import reachable, start_actions, stop


def test_the_action_server_listens_on_loopback_only(address, tmp_path):
    server = start_actions(tmp_path)
    try:
        assert reachable("127.0.0.1", server.port)
        assert not reachable(address, server.port)
    finally:
        stop(server)


def test_action_host_opens_it_on_purpose(address, tmp_path):
    # The same check sees an open port: ACTION_HOST=0.0.0.0 listens on every address.
    server = start_actions(tmp_path, {"ACTION_HOST": "0.0.0.0"})
    try:
        assert reachable(address, server.port)
    finally:
        stop(server)
