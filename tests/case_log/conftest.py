"""Fixtures for the case-log tests: every test runs on SQLite and on PostgreSQL.

PostgreSQL is at 127.0.0.1:5432 on CI's machine (MELDWIJZER_TEST_PG_URL to point elsewhere).
Where it cannot be reached, the PostgreSQL tests fail under CI (CI=true) and are skipped
with a visible reason elsewhere (a laptop without PostgreSQL can still run `make test`).
"""
from __future__ import annotations

import datetime as dt
import os
import uuid
from typing import Iterator

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from actions.case_log.crypto import Cipher
from actions.case_log.store import Actor, CaseStore

PG_ADMIN_URL = os.environ.get("MELDWIJZER_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUIRE_PG = os.environ.get("CI", "").lower() in ("1", "true", "yes")

TEACHER = Actor("rest", "leerkracht-1")
OTHER_TEACHER = Actor("rest", "leerkracht-2")
IB = Actor("telegram", "900001")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)


def _pg_database() -> Iterator[str]:
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
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name})
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'caselog.db'}"
    else:
        yield from _pg_database()


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.timezone.utc))


@pytest.fixture
def key() -> bytes:
    return Fernet.generate_key()


@pytest.fixture
def store(db_url, clock, key) -> Iterator[CaseStore]:
    case_store = CaseStore(db_url, cipher=Cipher([key]), clock=clock, reviewers=[IB.id],
                           retry_delays=(0.01, 0.01))
    yield case_store
    case_store.engine.dispose()
