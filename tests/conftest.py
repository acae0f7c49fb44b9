"""Shared fixtures: the trained model, an in-process NLU agent, and real servers.

`make test` trains the model before pytest runs; these fixtures never train or mock it.
"""
from __future__ import annotations

import asyncio
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import pytest
import requests
import yaml
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
# MELDWIJZER_MODEL lets the same tests measure another model (e.g. a config experiment).
MODEL = Path(os.environ.get("MELDWIJZER_MODEL", ROOT / "models" / "meldwijzer.tar.gz"))
VENV_BIN = Path(sys.executable).parent
RESULTS = ROOT / ".build" / "results"

# The tests never touch the user's case log, conversations or key (var/): fresh ones per run.
TEST_VAR = Path(tempfile.mkdtemp(prefix="meldwijzer-test-"))
os.environ["MELDWIJZER_DB_URL"] = f"sqlite:///{TEST_VAR / 'caselog.db'}"
os.environ["MELDWIJZER_TRACKER_DB_URL"] = f"sqlite:///{TEST_VAR / 'tracker.db'}"  # e.g. for `purge`
os.environ["MELDWIJZER_CASE_KEY"] = Fernet.generate_key().decode("ascii")
os.environ["MELDWIJZER_CASE_KEY_FILE"] = str(TEST_VAR / "no.key")
os.environ.pop("MELDWIJZER_REVIEWERS", None)
# The secret the Telegram bot process shows to the Rasa server's relay channel (bot/channels.py).
os.environ["MELDWIJZER_RELAY_SECRET"] = Fernet.generate_key().decode("ascii")
os.environ["MELDWIJZER_RELAY_SECRET_FILE"] = str(TEST_VAR / "no.secret")
# The secret the Rasa server shows to the action server (endpoints.yml, actions/server_guard.py).
os.environ["MELDWIJZER_ACTION_SECRET"] = Fernet.generate_key().decode("ascii")
os.environ["MELDWIJZER_ACTION_SECRET_FILE"] = str(TEST_VAR / "no.action.secret")
# REST, off in the shipped credentials.yml, is on for the test servers (TEST_CREDENTIALS: the
# shipped file with its REST line switched on), for one integration whose token `Chat` sends.
REST_INTEGRATION = "tests"
REST_TOKEN = secrets.token_urlsafe(32)
REST_AUTH = {"Authorization": f"Bearer {REST_TOKEN}"}
os.environ["MELDWIJZER_REST_TOKENS"] = f"{REST_INTEGRATION}={REST_TOKEN}"
TEST_CREDENTIALS = TEST_VAR / "credentials.yml"
TEST_CREDENTIALS.write_text((ROOT / "credentials.yml").read_text().replace(
    "\n# bot.channels.RestChannel:\n", "\nbot.channels.RestChannel:\n"))
assert "\nbot.channels.RestChannel:\n" in TEST_CREDENTIALS.read_text(), "credentials.yml: REST line moved"

# Environment for servers: offline, quiet, no telemetry.
SERVER_ENV = {
    **os.environ,
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "PYTHONPATH": str(ROOT),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: process exited; log:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} not ready after {timeout}s; log:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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


@pytest.fixture(scope="session")
def address() -> str:
    """This machine's network address, for tests that a server is NOT reachable there."""
    found = network_address()
    if found is None:
        pytest.skip("this machine has no network address besides loopback")
    return found


@pytest.fixture(scope="session")
def model_path() -> Path:
    assert MODEL.exists(), "no trained model: run the tests through `make test`"
    return MODEL


@pytest.fixture(scope="session")
def event_loop_session() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="session")
def nlu(model_path: Path, event_loop_session):
    """parse(text) -> Rasa's parse data from the real trained model, in-process."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model_path))

    def parse(text: str) -> Dict:
        return event_loop_session.run_until_complete(agent.parse_message(text))

    return parse


def start_actions(log_dir: Path, env: Optional[Dict[str, str]] = None,
                  port: Optional[int] = None) -> subprocess.Popen:
    """The action server (actions/) on `port` (default: a free one), started as `make chat`
    and `make webchat` start it (bot/run_actions.sh); `env` adds to the servers' environment."""
    port = port or free_port()
    log = log_dir / f"actions-{port}.log"
    restarts = 1
    while log.exists():  # started again on the same port: keep the earlier log
        log = log_dir / f"actions-{port}-{restarts}.log"
        restarts += 1
    process = subprocess.Popen(
        ["bash", "bot/run_actions.sh", str(port)],
        cwd=ROOT, env={**SERVER_ENV, "VENV": str(VENV_BIN.parent), **(env or {})}, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    wait_for(f"http://127.0.0.1:{port}/health", process, log)
    process.webhook = f"http://127.0.0.1:{port}/webhook"  # type: ignore[attr-defined]
    process.port = port  # type: ignore[attr-defined]
    process.log = log  # type: ignore[attr-defined]
    return process


@pytest.fixture(scope="session")
def action_server(tmp_path_factory) -> Iterator[str]:
    process = start_actions(tmp_path_factory.mktemp("logs"))
    try:
        yield process.webhook  # type: ignore[attr-defined]
    finally:
        stop(process)


def action_endpoint(url: str) -> Dict:
    """endpoints.yml's action endpoint (with its secret header) at another URL."""
    shipped = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))["action_endpoint"]
    return {**shipped, "url": url}


def start_rasa(model: Path, action_url: str, tmp: Path, tracker_store: Optional[Dict] = None,
               env: Optional[Dict[str, str]] = None, port: Optional[int] = None,
               credentials: Optional[Path] = None, extra_args: Optional[List[str]] = None,
               ready_path: str = "/") -> subprocess.Popen:
    """`rasa run` with the channels of `credentials` (default TEST_CREDENTIALS: credentials.yml
    with REST on); conversations in memory unless `tracker_store`."""
    endpoints = tmp / "endpoints.yml"
    config: Dict = {"action_endpoint": action_endpoint(action_url)}
    if tracker_store:
        config["tracker_store"] = tracker_store
    endpoints.write_text(yaml.safe_dump(config))
    port = port or free_port()
    log = tmp / f"rasa-{port}.log"
    process = subprocess.Popen(
        [
            str(VENV_BIN / "rasa"), "run", "--model", str(model), "--endpoints", str(endpoints),
            "--credentials", str(credentials or TEST_CREDENTIALS), "--port", str(port),
            "--interface", "127.0.0.1", *(extra_args or []),
        ],
        cwd=ROOT, env={**SERVER_ENV, **(env or {})}, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    process.base_url = f"http://127.0.0.1:{port}"  # type: ignore[attr-defined]
    process.log = log  # type: ignore[attr-defined]
    wait_for(process.base_url + ready_path, process, log)  # type: ignore[attr-defined]
    return process


def rest_id(sender: str) -> str:
    """The conversation id (and case log actor) the REST channel gives the tests' `sender`."""
    return f"rest:{REST_INTEGRATION}/{sender}"


class Chat:
    """A user talking to Rasa through the REST channel, as the tests' integration (its token).
    `conversation_id`: the id Rasa and the case log know this user by."""

    path = "/webhooks/rest/webhook"

    def __init__(self, base_url: str, sender: str) -> None:
        self.url = base_url + self.path
        self.sender = sender
        self.headers = dict(REST_AUTH)
        self.conversation_id = rest_id(sender)

    def send(self, text: str) -> List[Dict]:
        response = requests.post(self.url, json={"sender": self.sender, "message": text},
                                 headers=self.headers, timeout=60)
        assert response.status_code == 200, response.text
        return response.json()

    def say(self, text: str) -> str:
        """Send and return all reply texts joined, buttons listed as [title]."""
        return render(self.send(text))


class TelegramChat(Chat):
    """A Telegram user as the Telegram bot process relays them (with the relay's secret): an
    identity the channel proves (conversation "telegram:<id>")."""

    path = "/webhooks/telegram/webhook"

    def __init__(self, base_url: str, telegram_id: str) -> None:
        super().__init__(base_url, telegram_id)
        self.headers = {"X-Meldwijzer-Relay": os.environ["MELDWIJZER_RELAY_SECRET"]}
        self.conversation_id = f"telegram:{telegram_id}"


def render(replies: List[Dict]) -> str:
    parts = []
    for reply in replies:
        if reply.get("text"):
            parts.append(reply["text"])
        for button in reply.get("buttons") or []:
            parts.append(f"[{button['title']}]")
    return "\n".join(parts)


@pytest.fixture(scope="session")
def rasa_server(model_path, action_server, tmp_path_factory) -> Iterator[str]:
    process = start_rasa(model_path, action_server, tmp_path_factory.mktemp("rasa"))
    try:
        yield process.base_url  # type: ignore[attr-defined]
    finally:
        stop(process)


@pytest.fixture
def chat(rasa_server, request) -> Chat:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)[-60:]
    return Chat(rasa_server, f"test-{safe}-{time.monotonic_ns()}")


def load_examples(path: Path) -> Dict[str, List[str]]:
    """intent -> example texts (entity markup removed) from a Rasa NLU YAML file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out: Dict[str, List[str]] = {}
    for block in data.get("nlu", []):
        if "intent" not in block:
            continue
        for line in block["examples"].splitlines():
            line = line.strip()
            if line.startswith("- "):
                out.setdefault(block["intent"], []).append(strip_entities(line[2:]))
    return out


def strip_entities(text: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\{[^}]*\}", r"\1", text)
    return re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
