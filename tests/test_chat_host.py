"""`make chat` (bot/run_chat.sh): `rasa shell` runs a Rasa server of its own whose REST channel
takes any `sender`. Rasa's default address is 0.0.0.0, so anyone on the school network could
post as the terminal user (or anyone) to port 5005 of a teacher's laptop. It must listen on
127.0.0.1 only, and the terminal chat must still work through it.

The script runs as `make chat` runs it, in a pseudo-terminal, but in a temporary working
directory: it writes var/ and .build/ relative to the working directory, and the case log,
its key and the conversations are the tests' own (conftest), never the user's."""
from __future__ import annotations

import os
import pty
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import requests
import yaml

from conftest import MODEL, ROOT, SERVER_ENV, VENV_BIN, free_port, reachable

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Terminal:
    """bot/run_chat.sh in a pseudo-terminal of its own, everything it prints kept in `output`."""

    def __init__(self, cwd: Path, env: dict) -> None:
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            ["bash", str(ROOT / "bot" / "run_chat.sh"), str(MODEL)], cwd=cwd, env=env,
            stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
        os.close(slave)
        self.output = ""
        self._lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.master, 4096)
            except OSError:
                return
            if not data:
                return
            with self._lock:
                self.output += ANSI.sub("", data.decode("utf-8", "replace"))

    def type(self, line: str) -> None:
        os.write(self.master, line.encode() + b"\r")

    def wait_for(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output:
            assert self.process.poll() is None, f"the chat stopped; it printed:\n{self.output[-3000:]}"
            assert time.monotonic() < deadline, f"no {text!r}; the chat printed:\n{self.output[-3000:]}"
            time.sleep(0.2)

    def stop(self) -> None:
        """'/stop' as a user ends the chat; the script then stops its action server itself."""
        if self.process.poll() is None:
            self.type("/stop")
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=30)
        os.close(self.master)


def test_the_terminal_chat_listens_on_loopback_only(address, tmp_path):
    chat_port, action_port = free_port(), free_port()
    # As from the project folder: bot/run_actions.sh, and the spaCy pipeline the model names.
    (tmp_path / "bot").symlink_to(ROOT / "bot")
    (tmp_path / ".build").mkdir()
    (tmp_path / ".build" / "spacy_nl").symlink_to(ROOT / ".build" / "spacy_nl")
    (tmp_path / "endpoints.yml").write_text(yaml.safe_dump({
        "action_endpoint": {"url": f"http://127.0.0.1:{action_port}/webhook"},
        "tracker_store": {"type": "bot.tracker_store.EncryptedSQLTrackerStore",
                          "db_url": f"sqlite:///{tmp_path / 'tracker.db'}"}}))
    env = {**SERVER_ENV, "VENV": str(VENV_BIN.parent), "CHAT_PORT": str(chat_port),
           "ACTION_PORT": str(action_port), "TERM": "xterm"}
    terminal = Terminal(tmp_path, env)
    try:
        deadline = time.monotonic() + 240
        while not reachable("127.0.0.1", chat_port):
            assert terminal.process.poll() is None, f"the chat stopped:\n{terminal.output[-3000:]}"
            assert time.monotonic() < deadline, f"the chat's server did not start:\n{terminal.output[-3000:]}"
            time.sleep(1)
        # The attack: the chat's REST channel from another computer on the network.
        assert not reachable(address, chat_port), f"the chat's Rasa server listens on {address}"
        # On this machine it answers, and the terminal chat itself works through it.
        terminal.wait_for("Bot loaded", 120)  # Rasa's prompt: the model is loaded
        answer = requests.post(f"http://127.0.0.1:{chat_port}/webhooks/rest/webhook", timeout=60,
                               json={"sender": "test-loopback", "message": "hoi"})
        assert answer.status_code == 200 and answer.json()
        terminal.type("hoi")
        terminal.wait_for("automatische assistent", 90)
    finally:
        terminal.stop()
    assert (tmp_path / "var" / "terminal.id").exists()  # its var/ was the temporary one
