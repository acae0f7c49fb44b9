"""The action server answers the Rasa server on this machine only: it trusts what it is sent
(who asks, which case) once the call shows the shared secret (tests/test_action_server_auth.py),
and it is not reachable from the school network either.
Started as `make chat`, `make webchat` and `make actions` start it (bot/run_actions.sh)."""
from __future__ import annotations

import socket
from typing import Optional

import pytest

from conftest import start_actions, stop


def network_address() -> Optional[str]:
    """This machine's address on its network (no packet is sent), or None without one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address


def reachable(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=2).close()
        return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def address() -> str:
    found = network_address()
    if found is None:
        pytest.skip("this machine has no network address besides loopback")
    return found


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
