"""Fixtures for the case-log tests: every test runs on SQLite and on PostgreSQL
(tests/pg.py: under CI an unreachable PostgreSQL fails the tests, it never skips them)."""
from __future__ import annotations

import datetime as dt
from typing import Iterator

import pytest
from cryptography.fernet import Fernet

from actions.case_log.crypto import Cipher
from actions.case_log.store import Actor, CaseStore
from pg import pg_database


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


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'caselog.db'}"
    else:
        yield from pg_database()


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
