"""The case log: one class over the tables, used by the actions and the command line.

Every public method is one short transaction, retried a few times when the database is
unreachable; after that it raises `CaseLogUnavailable` and the caller tells the user the
step was not saved (and keeps it to write later). Nothing here logs free text.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, FrozenSet, Iterable, List, Optional, Sequence, TypeVar

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from .crypto import Cipher, cipher_from_environment
from .migrate import database_url, migrate
from .models import AuditRecord, Case, DecisionRecord, Entry, FollowUp, Notification

logger = logging.getLogger(__name__)

T = TypeVar("T")
CODE_PREFIX = "MW"
ENTRY_KINDS = ("answer", "outcome", "fact", "hypothesis", "child_words", "third_party",
               "contact", "decision", "follow_up", "parents")
RETRY_DELAYS = (0.2, 0.6)  # seconds between attempts: the user is waiting
DEFAULT_RETENTION_DAYS = 730  # two years after closing (or the last activity), as the student file
PURGE_ACTOR = "system:bewaartermijn"  # who the audit names for a purge by the retention period


class CaseLogUnavailable(RuntimeError):
    """The database could not be reached; nothing of this call was written."""


class CaseNotVisible(LookupError):
    """No such case for this user (whether it exists is not told)."""


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass(frozen=True)
class Actor:
    """Who does something: the channel and the user id in it (never a name)."""

    channel: str
    user: str

    @property
    def id(self) -> str:
        return f"{self.channel}:{self.user}"

    @classmethod
    def parse(cls, value: str) -> "Actor":
        channel, _, user = value.partition(":")
        if not channel or not user:
            raise ValueError(f"not channel:user: {value!r}")
        return cls(channel, user)


@dataclass(frozen=True)
class CaseSummary:
    code: str
    status: str
    position: Optional[str]
    opened_at: dt.datetime
    updated_at: dt.datetime
    opened_by: str


@dataclass(frozen=True)
class EntryView:
    at: dt.datetime
    author: str
    step: Optional[int]
    question: Optional[str]
    answer: Optional[str]
    outcome: Optional[str]
    kind: Optional[str]
    text: Optional[str]
    source: Optional[str]


@dataclass(frozen=True)
class DecisionView:
    at: dt.datetime
    author: str
    decision: str
    decided_at: Optional[int]
    with_vt: bool
    answers: Dict[str, str]


@dataclass(frozen=True)
class FollowUpView:
    id: int
    code: str
    kind: str
    due_at: dt.datetime
    channel: str
    recipient: str
    sent_at: Optional[dt.datetime]


@dataclass(frozen=True)
class CaseView:
    code: str
    school_id: str
    opened_by: str
    opened_at: dt.datetime
    updated_at: dt.datetime
    closed_at: Optional[dt.datetime]
    status: str
    casushouder: Optional[str]
    route_entry: Optional[int]
    position: Optional[str]
    parents_discussed: Optional[str]
    parents_reason: Optional[str]
    conclusion: Optional[str]
    entries: List[EntryView] = field(default_factory=list)
    decisions: List[DecisionView] = field(default_factory=list)
    follow_ups: List[FollowUpView] = field(default_factory=list)


@dataclass(frozen=True)
class PurgeResult:
    closed: int  # closed cases removed
    open: int  # open cases removed: untouched for the whole retention period


@dataclass(frozen=True)
class NotificationView:
    id: int
    case_code: str
    channel: str
    recipient: str
    kind: str
    about: str


def make_engine(url: str) -> Engine:
    parsed = sa.engine.make_url(url)
    kwargs: Dict[str, Any] = {"future": True, "pool_pre_ping": True}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            try:
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            except OSError:
                pass  # connecting fails next, and is reported as unreachable
        kwargs["connect_args"] = {"timeout": 5}
    elif parsed.get_backend_name() == "postgresql":
        kwargs["connect_args"] = {"connect_timeout": 3}
        kwargs["pool_size"] = 5
    engine = sa.create_engine(parsed, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # foreign keys; readers beside a writer
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()
    return engine


def _transient(error: Exception) -> bool:
    if isinstance(error, (sa_exc.OperationalError, sa_exc.InterfaceError)):
        return True
    return isinstance(error, sa_exc.DBAPIError) and bool(error.connection_invalidated)


class CaseStore:
    def __init__(self, url: Optional[str] = None, cipher: Optional[Cipher] = None,
                 clock: Callable[[], dt.datetime] = utcnow,
                 reviewers: Iterable[str] = (), retry_delays: Sequence[float] = RETRY_DELAYS) -> None:
        self.url = url or database_url()
        self.engine = make_engine(self.url)
        self._session = sessionmaker(self.engine, future=True, expire_on_commit=False)
        self._cipher = cipher
        self.clock = clock
        # The school's aandachtsfunctionaris / IB: "channel:user" ids that may see every case.
        self.reviewers: FrozenSet[str] = frozenset(reviewers)
        self.retry_delays = tuple(retry_delays)
        self._migrated = False
        self._migrate_lock = threading.Lock()

    # --- plumbing --------------------------------------------------------------------------
    @property
    def cipher(self) -> Cipher:
        if self._cipher is None:
            self._cipher = cipher_from_environment()
        return self._cipher

    def migrate(self) -> None:
        with self._migrate_lock:
            if not self._migrated:
                self._retry(lambda: migrate(self.engine))
                self._migrated = True

    def _retry(self, work: Callable[[], T]) -> T:
        for attempt in range(len(self.retry_delays) + 1):
            try:
                return work()
            except sa_exc.SQLAlchemyError as error:
                if not _transient(error):
                    raise
                logger.warning("case log: database unreachable (attempt %d): %s",
                               attempt + 1, type(error).__name__)
                if attempt < len(self.retry_delays):
                    time.sleep(self.retry_delays[attempt])
        raise CaseLogUnavailable("case log database unreachable")

    def _run(self, work: Callable[[Session], T]) -> T:
        """`work` in one transaction, retried as a whole."""
        self.migrate()

        def attempt() -> T:
            with self._session() as session, session.begin():
                return work(session)

        return self._retry(attempt)

    def _case(self, session: Session, code: str, lock: bool = False) -> Case:
        query = sa.select(Case).where(Case.code == code)
        if lock:
            query = query.with_for_update()
        case = session.execute(query).scalar_one_or_none()
        if case is None:
            raise CaseNotVisible(code)
        return case

    def may_see(self, case_opened_by: str, actor: Actor) -> bool:
        return actor.id == case_opened_by or actor.id in self.reviewers

    # --- writing --------------------------------------------------------------------------
    def open_case(self, actor: Actor, school_id: str, casushouder: Optional[str] = None,
                  route_entry: Optional[int] = None, at: Optional[dt.datetime] = None) -> str:
        """A new case with the next free code of the year (MW-2026-0007). Returns the code."""
        when = at or self.clock()
        for _ in range(20):  # two cases opened at the same moment: the loser takes the next
            try:
                return self._run(lambda s: self._insert_case(s, actor, school_id, casushouder,
                                                             route_entry, when))
            except sa_exc.IntegrityError:
                continue
        raise CaseLogUnavailable("no free case code")

    def _insert_case(self, session: Session, actor: Actor, school_id: str,
                     casushouder: Optional[str], route_entry: Optional[int], when: dt.datetime) -> str:
        year = when.year
        last = session.execute(sa.select(sa.func.max(Case.seq)).where(Case.year == year)).scalar()
        seq = (last or 0) + 1
        code = f"{CODE_PREFIX}-{year}-{seq:04d}"
        session.add(Case(code=code, year=year, seq=seq, school_id=school_id,
                         opened_channel=actor.channel, opened_by=actor.id, casushouder=casushouder,
                         status="open", route_entry=route_entry, opened_at=when, updated_at=when))
        session.flush()
        for reviewer in sorted(self.reviewers - {actor.id}):
            channel, _, user = reviewer.partition(":")
            session.add(Notification(case_code=code, channel=channel, recipient=user,
                                     kind="case_opened", about=actor.id, created_at=when, attempts=0))
        return code

    def apply(self, code: str, actor: Actor, writes: Sequence[Dict[str, Any]]) -> None:
        """Write what happened in the dialogue, all or nothing (see `writes` below)."""
        if not writes:
            return

        def work(session: Session) -> None:
            case = self._case(session, code, lock=True)
            if actor.id != case.opened_by:
                raise CaseNotVisible(code)
            latest = case.updated_at
            for write in writes:
                at = _time(write.get("at")) or self.clock()
                latest = max(latest, at)
                self._apply_one(session, case, actor, write, at)
            case.updated_at = latest

        self._run(work)

    def _apply_one(self, session: Session, case: Case, actor: Actor, write: Dict[str, Any],
                   at: dt.datetime) -> None:
        op = write["op"]
        if op == "entry":
            kind = write.get("kind")
            if kind is not None and kind not in ENTRY_KINDS:
                raise ValueError(f"unknown entry kind {kind!r}")
            session.add(Entry(case_id=case.id, at=at, author=actor.id, step=write.get("step"),
                              question=write.get("question"), answer=write.get("answer"),
                              outcome=write.get("outcome"), kind=kind,
                              text_enc=self.cipher.encrypt(write.get("text")),
                              source_enc=self.cipher.encrypt(write.get("source"))))
        elif op == "decision":
            session.add(DecisionRecord(case_id=case.id, at=at, author=actor.id,
                                       decision=write["decision"], decided_at=write.get("decided_at"),
                                       with_vt=bool(write.get("with_vt")),
                                       answers_json=json.dumps(write.get("answers") or {}, sort_keys=True)))
        elif op == "position":
            case.position = write.get("position")
        elif op == "parents":
            case.parents_discussed = write["discussed"]
            case.parents_reason_enc = self.cipher.encrypt(write.get("reason"))
        elif op == "follow_up":
            session.add(FollowUp(case_id=case.id, kind=write["kind"], due_at=_time(write["due_at"]),
                                 channel=actor.channel, recipient=actor.user, created_at=at, attempts=0))
        else:
            raise ValueError(f"unknown write {op!r}")

    def close_case(self, code: str, actor: Actor, conclusion: str) -> None:
        def work(session: Session) -> bool:
            case = self._visible(session, code, actor, "close", lock=True)
            if case is None:
                return False
            now = self.clock()
            case.status, case.closed_at, case.updated_at = "closed", now, now
            case.conclusion_enc = self.cipher.encrypt(conclusion)
            session.add(Entry(case_id=case.id, at=now, author=actor.id, kind="decision",
                              outcome="case_closed", text_enc=self.cipher.encrypt(conclusion)))
            return True

        if not self._run(work):
            raise CaseNotVisible(code)

    # --- reading --------------------------------------------------------------------------
    def _visible(self, session: Session, code: str, actor: Actor, action: str,
                 lock: bool = False) -> Optional[Case]:
        """The case if `actor` may see it, else None. Reads by others than the creator and
        refusals are audited (returning, not raising, so the audit record is committed)."""
        case = session.execute(
            sa.select(Case).where(Case.code == code.strip().upper())
            .execution_options(populate_existing=True)
        ).scalar_one_or_none()
        allowed = case is not None and self.may_see(case.opened_by, actor)
        if case is None or not allowed or actor.id != case.opened_by:
            session.add(AuditRecord(at=self.clock(), case_code=code.strip().upper()[:20],
                                    actor=actor.id, action=action if allowed else "refused",
                                    allowed=allowed))
        if not allowed:
            return None
        if lock:
            session.refresh(case, with_for_update=True)
        return case  # type: ignore[return-value]

    def open_cases(self, actor: Actor) -> List[CaseSummary]:
        """The open cases this user opened (a reviewer also sees everyone else's)."""
        def work(session: Session) -> List[CaseSummary]:
            query = sa.select(Case).where(Case.status == "open").order_by(Case.updated_at.desc())
            if actor.id not in self.reviewers:
                query = query.where(Case.opened_by == actor.id)
            return [CaseSummary(c.code, c.status, c.position, c.opened_at, c.updated_at, c.opened_by)
                    for c in session.execute(query).scalars()]

        return self._run(work)

    def read_case(self, code: str, actor: Actor, action: str = "read") -> CaseView:
        """Everything in a case, decrypted. Raises CaseNotVisible, also when it does not exist
        (a refusal is audited, so the code is still not confirmed to the user)."""
        def work(session: Session) -> Optional[CaseView]:
            case = self._visible(session, code, actor, action)
            return None if case is None else self._view(case)

        view = self._run(work)
        if view is None:
            raise CaseNotVisible(code)
        return view

    def _view(self, case: Case) -> CaseView:
        dec = self.cipher.decrypt
        return CaseView(
            code=case.code, school_id=case.school_id, opened_by=case.opened_by,
            opened_at=case.opened_at, updated_at=case.updated_at, closed_at=case.closed_at,
            status=case.status, casushouder=case.casushouder, route_entry=case.route_entry,
            position=case.position, parents_discussed=case.parents_discussed,
            parents_reason=dec(case.parents_reason_enc), conclusion=dec(case.conclusion_enc),
            entries=[EntryView(e.at, e.author, e.step, e.question, e.answer, e.outcome, e.kind,
                               dec(e.text_enc), dec(e.source_enc)) for e in case.entries],
            decisions=[DecisionView(d.at, d.author, d.decision, d.decided_at, d.with_vt,
                                    json.loads(d.answers_json)) for d in case.decisions],
            follow_ups=[_follow_up_view(f, case.code) for f in case.follow_ups],
        )

    # --- follow-ups and notifications -------------------------------------------------------
    def due_follow_ups(self, now: Optional[dt.datetime] = None) -> List[FollowUpView]:
        moment = now or self.clock()

        def work(session: Session) -> List[FollowUpView]:
            rows = session.execute(
                sa.select(FollowUp, Case.code).join(Case)
                .where(FollowUp.sent_at.is_(None), FollowUp.due_at <= moment, Case.status == "open")
                .order_by(FollowUp.due_at)
            ).all()
            return [_follow_up_view(f, code) for f, code in rows]

        return self._run(work)

    def mark_follow_up(self, follow_up_id: int, error: Optional[str] = None) -> None:
        self._run(lambda s: _mark(s.get(FollowUp, follow_up_id), self.clock(), error))

    def pending_notifications(self) -> List[NotificationView]:
        def work(session: Session) -> List[NotificationView]:
            rows = session.execute(sa.select(Notification).where(Notification.sent_at.is_(None))
                                   .order_by(Notification.id)).scalars()
            return [NotificationView(n.id, n.case_code, n.channel, n.recipient, n.kind, n.about)
                    for n in rows]

        return self._run(work)

    def mark_notification(self, notification_id: int, error: Optional[str] = None) -> None:
        self._run(lambda s: _mark(s.get(Notification, notification_id), self.clock(), error))

    # --- retention ------------------------------------------------------------------------
    def purge_expired(self, retention_days: int = DEFAULT_RETENTION_DAYS,
                      now: Optional[dt.datetime] = None) -> PurgeResult:
        """Delete, with everything in them, the cases past the retention period: closed more
        than `retention_days` ago, or open and untouched that long. Untouched: `updated_at`
        (moved by every entry, decision, follow-up, position, parents answer and the closing)
        is older, and no follow-up is due after the cutoff (a planned follow-up is activity).
        Each purged case leaves one audit record ("purge", its code, no content)."""
        moment = now or self.clock()
        cutoff = moment - dt.timedelta(days=retention_days)
        planned = sa.exists().where(FollowUp.case_id == Case.id, FollowUp.due_at >= cutoff)

        def work(session: Session) -> PurgeResult:
            closed = session.execute(sa.select(Case.id, Case.code).where(
                Case.status == "closed", Case.closed_at < cutoff)).all()
            idle = session.execute(sa.select(Case.id, Case.code).where(
                Case.status == "open", Case.updated_at < cutoff, ~planned)).all()
            ids = [row.id for row in closed + idle]
            codes = [row.code for row in closed + idle]
            if ids:
                for table in (Entry, DecisionRecord, FollowUp):  # Core deletes: no ORM events
                    session.execute(sa.delete(table.__table__).where(table.__table__.c.case_id.in_(ids)))
                session.execute(sa.delete(Notification.__table__)
                                .where(Notification.__table__.c.case_code.in_(codes)))
                session.execute(sa.delete(Case.__table__).where(Case.__table__.c.id.in_(ids)))
                session.add_all(AuditRecord(at=moment, case_code=code, actor=PURGE_ACTOR,
                                            action="purge", allowed=True) for code in codes)
            return PurgeResult(closed=len(closed), open=len(idle))

        return self._run(work)

    def audit_log(self, code: Optional[str] = None) -> List[AuditRecord]:
        def work(session: Session) -> List[AuditRecord]:
            query = sa.select(AuditRecord).order_by(AuditRecord.id)
            if code:
                query = query.where(AuditRecord.case_code == code)
            return list(session.execute(query).scalars())

        return self._run(work)


def _follow_up_view(f: FollowUp, code: str) -> FollowUpView:
    return FollowUpView(f.id, code, f.kind, f.due_at, f.channel, f.recipient, f.sent_at)


def _mark(row, now: dt.datetime, error: Optional[str]) -> None:
    if row is None:
        return
    row.attempts = (row.attempts or 0) + 1
    if error is None:
        row.sent_at = now
    else:
        row.last_error = error[:255]


def _time(value: Any) -> Optional[dt.datetime]:
    if value is None or isinstance(value, dt.datetime):
        return value
    parsed = dt.datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)
