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
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, Optional, Text

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.engine import make_url

from actions.case_log.crypto import Cipher, cipher_from_environment
from actions.personal_data import dutch_words, redact

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'tracker.db'}"


def tracker_db_url() -> str:
    return os.environ.get("MELDWIJZER_TRACKER_DB_URL") or DEFAULT_URL


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
        host = kwargs.pop("host", None)
        if not db_url and host and "://" in str(host):
            db_url = host
        parsed = make_url(db_url or tracker_db_url())
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
                    intent_name=(data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
                    action_name=data.get("name"),
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
