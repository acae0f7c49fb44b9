"""Rasa's SQL tracker store, with every stored event encrypted and names/BSNs left out.

Rasa keeps each conversation as events (what the user typed, the slots) in the table
`events`. This store is Rasa's own `SQLTrackerStore`; it only changes how one event's data
is written and read: Fernet-encrypted with the case-log key (actions/case_log/crypto.py),
and a user's message with a full name or BSN replaced first (actions/personal_data.py).
Conversations survive a restart of the Rasa server and resume at the same question.

Configured in endpoints.yml. The database: `db_url` there, else MELDWIJZER_TRACKER_DB_URL (a
SQLAlchemy URL, e.g. postgresql://meldwijzer@db/meldwijzer), else the SQLite file var/tracker.db.

Saving and reading (JSON, the name check, Fernet, SQL) run in one worker thread, not on Rasa's
event loop, so one long conversation or a slow database does not hold up other users. Rasa
handles one message per conversation at a time (its lock store, around the whole message), so
two saves of one conversation never overlap; the one thread keeps the database work in order,
as it was on the event loop.

`purge_conversations` applies the retention period to the `events` table (`python -m
bot.caselog purge`): a conversation idle for the whole period goes completely; of a
conversation still in use, only the events older than the period AND before its latest
session start go, which Rasa never loads again (it loads the latest session only).
"""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Optional, Text

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import read_endpoint_config
from sqlalchemy.engine import make_url

from actions.case_log.crypto import Cipher, cipher_from_environment
from actions.personal_data import dutch_words, redact
from bot import log_privacy

logger = logging.getLogger(__name__)
log_privacy.install()  # no conversation text in the Rasa server's log (also `rasa shell`)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'tracker.db'}"
ENDPOINTS = PROJECT_ROOT / "endpoints.yml"  # what bot/run_server.sh and bot/run_chat.sh pass to Rasa


def tracker_db_url(db_url: Optional[Text] = None, host: Optional[Text] = None) -> str:
    """The database of the conversations: the endpoint's `db_url`, or a full URL Rasa passes
    as `host` (the endpoint's `url`), else MELDWIJZER_TRACKER_DB_URL, else var/tracker.db."""
    if db_url:
        return db_url
    if host and "://" in str(host):
        return str(host)
    return os.environ.get("MELDWIJZER_TRACKER_DB_URL") or DEFAULT_URL


def configured_db_url(endpoints: Path = ENDPOINTS) -> str:
    """The database the Rasa server started with `endpoints` uses (read as Rasa reads it)."""
    with warnings.catch_warnings():  # Rasa's YAML reader imports pkg_resources: not for IT's cron mail
        warnings.simplefilter("ignore", DeprecationWarning)
        config = read_endpoint_config(str(endpoints), "tracker_store")
    if config is None or config.type != f"{__name__}.{EncryptedSQLTrackerStore.__name__}":
        return tracker_db_url()
    return tracker_db_url(config.kwargs.get("db_url"), config.url)


def without_personal_data(data: Dict[str, Any]) -> Dict[str, Any]:
    """A user event with a full name or BSN in its text replaced; other events unchanged."""
    if data.get("event") != "user" or not data.get("text"):
        return data
    text, found = redact(data["text"])
    if not found:
        return data
    data = dict(data, text=text)
    if isinstance(data.get("parse_data"), dict):
        data["parse_data"] = dict(data["parse_data"], text=text)
    return data


class EncryptedSQLTrackerStore(SQLTrackerStore):
    def __init__(self, domain=None, db_url: Optional[Text] = None, event_broker=None,
                 cipher: Optional[Cipher] = None, **kwargs: Any) -> None:
        # endpoints.yml may give `db_url` (a full SQLAlchemy URL); Rasa also passes `host`.
        parsed = make_url(tracker_db_url(db_url, kwargs.pop("host", None)))
        if parsed.get_backend_name() == "sqlite" and parsed.database:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        self.cipher = cipher or cipher_from_environment()  # no key: refuse to start, loudly
        dutch_words()  # load the name check's lexicon now, not while the first user waits
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tracker-store")
        super().__init__(
            domain=domain, dialect=parsed.drivername, host=parsed.host, port=parsed.port,
            db=parsed.database or "", username=parsed.username, password=parsed.password,
            event_broker=event_broker, query=dict(parsed.query), **kwargs,
        )

    def _encode(self, data: Dict[str, Any]) -> str:
        return self.cipher.encrypt(json.dumps(without_personal_data(data)))

    def _decode(self, stored: str) -> Dict[str, Any]:
        if stored.lstrip().startswith("{"):  # written before encryption was switched on
            return json.loads(stored)
        return json.loads(self.cipher.decrypt(stored))

    async def _off_the_loop(self, work, *args):  # type: ignore[no-untyped-def]
        return await asyncio.get_running_loop().run_in_executor(self._worker, work, *args)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """As SQLTrackerStore.save, with each event's data encrypted."""
        await self.stream_events(tracker)
        await self._off_the_loop(self._save, tracker)

    def _save(self, tracker: DialogueStateTracker) -> None:
        with self.session_scope() as session:
            for event in self._additional_events(session, tracker):
                data = event.as_dict()
                session.add(self.SQLEvent(
                    sender_id=tracker.sender_id,
                    type_name=event.type_name,
                    timestamp=data.get("timestamp"),
                    # Rasa never reads these two columns back; in plain text they would say
                    # who reported danger (intent acute_danger) or exported a dossier.
                    intent_name=None,
                    action_name=None,
                    data=self._encode(data),
                ))
            session.commit()

    async def _retrieve(self, sender_id: Text,
                        fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        return await self._off_the_loop(self._read, sender_id, fetch_events_from_all_sessions)

    def _read(self, sender_id: Text, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id,
                                     fetch_events_from_all_sessions=fetch_events_from_all_sessions).all()
            events = [self._decode(row.data) for row in rows]
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None


@dataclass(frozen=True)
class ConversationPurge:
    conversations: int  # conversations removed completely: no event within the period
    trimmed: int  # conversations still in use whose old sessions were removed
    events: int  # event rows removed in all


def purge_conversations(url: str, cutoff: dt.datetime) -> ConversationPurge:
    """Remove the events older than `cutoff` that no live conversation needs (see the module
    docstring). A database or `events` table that does not exist yet: nothing to do. An
    unreachable database raises sqlalchemy's OperationalError."""
    parsed = make_url(url)
    nothing = ConversationPurge(0, 0, 0)
    if parsed.get_backend_name() == "sqlite" and not (
            parsed.database and parsed.database != ":memory:" and Path(parsed.database).is_file()):
        return nothing  # connecting would create an empty file
    kwargs = create_engine_kwargs(parsed)  # as Rasa connects (PostgreSQL schema, pool)
    if parsed.get_backend_name() == "postgresql":
        kwargs["connect_args"] = {**kwargs.get("connect_args", {}), "connect_timeout": 3}
    engine = sa.create_engine(parsed, future=True, **kwargs)
    try:
        with engine.begin() as connection:
            if not sa.inspect(connection).has_table(SQLTrackerStore.SQLEvent.__tablename__):
                return nothing
            return _purge_events(connection, cutoff.timestamp())
    finally:
        engine.dispose()


def _purge_events(connection: sa.engine.Connection, cutoff: float) -> ConversationPurge:
    events = SQLTrackerStore.SQLEvent.__table__
    idle = (sa.select(events.c.sender_id).group_by(events.c.sender_id)
            .having(sa.func.max(events.c.timestamp) < cutoff))
    conversations = connection.execute(sa.select(sa.func.count()).select_from(idle.subquery())).scalar()
    removed = connection.execute(sa.delete(events).where(events.c.sender_id.in_(idle))).rowcount
    starts = events.alias("starts")
    latest_start = (sa.select(sa.func.max(starts.c.timestamp))
                    .where(starts.c.sender_id == events.c.sender_id,
                           starts.c.type_name == SessionStarted.type_name)
                    .scalar_subquery())
    old = sa.and_(events.c.timestamp < cutoff, events.c.timestamp < latest_start)
    trimmed = connection.execute(sa.select(sa.func.count(sa.distinct(events.c.sender_id))).where(old)).scalar()
    removed += connection.execute(sa.delete(events).where(old)).rowcount
    return ConversationPurge(conversations=conversations, trimmed=trimmed, events=removed)
