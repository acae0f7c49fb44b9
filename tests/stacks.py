"""An action server and a Rasa server that share one database (case log + encrypted SQL
tracker store), on SQLite or on PostgreSQL. Used by tests/test_case_conversations.py and
tests/test_load_faults.py.

For PostgreSQL the action server reaches the database through a TCP proxy (tests/pg.py), so
a test can stop the database under a running conversation.
"""
from __future__ import annotations

import signal
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa

from conftest import start_actions, start_rasa, stop
from pg import TcpProxy, pg_database

IB_USER = "700900"  # the IB: a fictitious Telegram user id, through the relay (conftest.TelegramChat)
BACKENDS = ["sqlite", "postgresql"]


class Stack:
    """An action server and a Rasa server that share one database (case log + tracker)."""

    def __init__(self, kind: str, model: Path, tmp: Path, case_url: str, tracker_url: str,
                 proxy=None, direct_case_url: str = "") -> None:
        self.kind, self.model, self.tmp, self.proxy = kind, model, tmp, proxy
        self.case_url, self.tracker_url = case_url, tracker_url
        # The case log as a test reads it (not through the proxy).
        self.direct_case_url = direct_case_url or case_url
        self.actions_env = {"MELDWIJZER_DB_URL": case_url, "MELDWIJZER_REVIEWERS": f"telegram:{IB_USER}"}
        self.actions = start_actions(tmp, self.actions_env)
        self.rasa = self._start_rasa()

    def _start_rasa(self):
        store = {"type": "bot.tracker_store.EncryptedSQLTrackerStore", "db_url": self.tracker_url}
        return start_rasa(self.model, self.actions.webhook, self.tmp, tracker_store=store)

    @property
    def base_url(self) -> str:
        return self.rasa.base_url

    def kill_and_restart_rasa(self) -> None:
        """As a crash: no clean shutdown."""
        self.rasa.send_signal(signal.SIGKILL)
        self.rasa.wait()
        self.rasa = self._start_rasa()

    def stop_actions(self, how: int = signal.SIGTERM) -> None:
        """The action server goes away (SIGTERM: shut down; SIGKILL: crash); Rasa stays up."""
        self.actions.send_signal(how)
        self.actions.wait(timeout=30)

    def start_actions_again(self) -> None:
        """The action server back on the same port, so Rasa's action endpoint is unchanged."""
        self.actions = start_actions(self.tmp, self.actions_env, port=self.actions.port)

    def case_engine(self) -> sa.engine.Engine:
        return sa.create_engine(self.direct_case_url)

    def close(self) -> None:
        stop(self.rasa)
        stop(self.actions)
        if self.proxy:
            self.proxy.close()


def open_stack(kind: str, model: Path, tmp: Path) -> Iterator[Stack]:
    """Generator for a fixture: yields a running stack on `kind`, then stops it (and drops a
    PostgreSQL database)."""
    if kind == "sqlite":
        built = Stack("sqlite", model, tmp, f"sqlite:///{tmp / 'caselog.db'}",
                      f"sqlite:///{tmp / 'tracker.db'}")
        try:
            yield built
        finally:
            built.close()
        return
    databases = pg_database()
    direct = next(databases)
    url = sa.engine.make_url(direct)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    through_proxy = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    try:
        built = Stack("postgresql", model, tmp, through_proxy, direct, proxy, direct_case_url=direct)
    except BaseException:
        proxy.close()
        next(databases, None)
        raise
    try:
        yield built
    finally:
        built.close()
        next(databases, None)  # drop the database
