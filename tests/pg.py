"""A fresh PostgreSQL database for a test, and a TCP proxy that can 'stop' the database.

PostgreSQL runs at 127.0.0.1:5432 on CI's machine (MELDWIJZER_TEST_PG_URL to point
elsewhere). Unreachable: the tests fail under CI (CI=true, a PostgreSQL test must never be
skipped there) and are skipped with the reason elsewhere.
"""
from __future__ import annotations

import os
import socket
import threading
import uuid
from typing import Iterator, List

import pytest
import sqlalchemy as sa

PG_ADMIN_URL = os.environ.get("MELDWIJZER_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUIRE_PG = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pg_database(host: str = "", port: int = 0) -> Iterator[str]:
    """Yields the URL of a new, empty database; drops it afterwards. `host`/`port` change the
    address in the URL (e.g. to go through a proxy)."""
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    name = f"mw_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        admin.dispose()
        message = f"PostgreSQL not reachable at {PG_ADMIN_URL}: {error.orig}"
        if REQUIRE_PG:
            pytest.fail(message + " (CI must test PostgreSQL)")
        pytest.skip(message)
    url = sa.engine.make_url(PG_ADMIN_URL).set(database=name)
    if host:
        url = url.set(host=host, port=port)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name})
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


class TcpProxy:
    """127.0.0.1:<port> -> PostgreSQL. `down()` cuts every connection and refuses new ones,
    as a stopped database server would; `up()` lets them through again."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(50)
        self.port = self.listener.getsockname()[1]
        self.is_up = True
        self._open: List[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.is_up:
                client.close()
                continue
            try:
                server = socket.create_connection(self.target, timeout=3)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def down(self) -> None:
        self.is_up = False
        with self._lock:
            for sock in self._open:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                    sock.close()
                except OSError:
                    pass
            self._open.clear()

    def up(self) -> None:
        self.is_up = True

    def close(self) -> None:
        self.down()
        self.listener.close()
