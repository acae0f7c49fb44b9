"""The case log's tables (SQLAlchemy 1.4). Changes go through an Alembic migration
(actions/case_log/migrations/versions/); the tables are kept apart from Rasa's `events`.

Free text (answers, notes, reasons, the conclusion) is stored encrypted: the `*_enc`
columns hold Fernet tokens (see crypto.py), never plain text. Entries are append-only.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class UTCDateTime(sa.types.TypeDecorator):
    """Aware UTC datetimes on every database (SQLite keeps no time zone)."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("case log times must be timezone-aware")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=dt.timezone.utc)


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (sa.UniqueConstraint("year", "seq", name="uq_cases_year_seq"),)

    id = sa.Column(sa.Integer, primary_key=True)
    code = sa.Column(sa.String(20), nullable=False, unique=True)  # MW-2026-0007
    year = sa.Column(sa.Integer, nullable=False)
    seq = sa.Column(sa.Integer, nullable=False)
    school_id = sa.Column(sa.String(64), nullable=False)
    opened_channel = sa.Column(sa.String(32), nullable=False)
    opened_by = sa.Column(sa.String(255), nullable=False, index=True)  # channel user id
    casushouder = sa.Column(sa.String(120))
    status = sa.Column(sa.String(16), nullable=False, default="open")  # open | closed
    route_entry = sa.Column(sa.Integer)  # 1: from step 1; 4: afwegingskader only
    position = sa.Column(sa.String(32))  # question or outcome the route stands at
    parents_discussed = sa.Column(sa.String(12))  # ja | nee | onbekend (None: not asked yet)
    parents_reason_enc = sa.Column(sa.Text)  # why not, encrypted
    conclusion_enc = sa.Column(sa.Text)  # recorded when closing, encrypted
    opened_at = sa.Column(UTCDateTime, nullable=False)
    updated_at = sa.Column(UTCDateTime, nullable=False)
    closed_at = sa.Column(UTCDateTime)

    entries = relationship("Entry", back_populates="case", order_by="Entry.id",
                           cascade="all, delete-orphan", passive_deletes=True)
    decisions = relationship("DecisionRecord", back_populates="case", order_by="DecisionRecord.id",
                             cascade="all, delete-orphan", passive_deletes=True)
    follow_ups = relationship("FollowUp", back_populates="case", order_by="FollowUp.due_at",
                              cascade="all, delete-orphan", passive_deletes=True)


class Entry(Base):
    """One thing that happened in a case: an answer, an outcome, or a note."""

    __tablename__ = "case_entries"

    id = sa.Column(sa.Integer, primary_key=True)
    case_id = sa.Column(sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"),
                        nullable=False, index=True)
    at = sa.Column(UTCDateTime, nullable=False)
    author = sa.Column(sa.String(255), nullable=False)
    step = sa.Column(sa.Integer)
    question = sa.Column(sa.String(32))
    answer = sa.Column(sa.String(16))  # ja | nee | twijfel | weet_niet (closed questions)
    outcome = sa.Column(sa.String(64))  # what the protocol said: a text key or decision
    kind = sa.Column(sa.String(24))  # fact, hypothesis, child_words, third_party, contact, ...
    text_enc = sa.Column(sa.Text)
    source_enc = sa.Column(sa.Text)  # the source of third-party information

    case = relationship("Case", back_populates="entries")


class DecisionRecord(Base):
    """A decision of the afwegingskader with the answers that led to it."""

    __tablename__ = "case_decisions"

    id = sa.Column(sa.Integer, primary_key=True)
    case_id = sa.Column(sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"),
                        nullable=False, index=True)
    at = sa.Column(UTCDateTime, nullable=False)
    author = sa.Column(sa.String(255), nullable=False)
    decision = sa.Column(sa.String(32), nullable=False)
    decided_at = sa.Column(sa.Integer)  # the afweging question that decided it
    with_vt = sa.Column(sa.Boolean, nullable=False, default=False)
    answers_json = sa.Column(sa.Text, nullable=False)  # {"afweging_1": "ja", ...}

    case = relationship("Case", back_populates="decisions")


class FollowUp(Base):
    """Something to come back to, with a due date; sent to `recipient` through `channel`."""

    __tablename__ = "case_follow_ups"

    id = sa.Column(sa.Integer, primary_key=True)
    case_id = sa.Column(sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"),
                        nullable=False, index=True)
    kind = sa.Column(sa.String(32), nullable=False)  # check_help | vt_response | help_term
    due_at = sa.Column(UTCDateTime, nullable=False, index=True)
    channel = sa.Column(sa.String(32), nullable=False)
    recipient = sa.Column(sa.String(255), nullable=False)
    created_at = sa.Column(UTCDateTime, nullable=False)
    sent_at = sa.Column(UTCDateTime)
    attempts = sa.Column(sa.Integer, nullable=False, default=0)
    last_error = sa.Column(sa.String(255))

    case = relationship("Case", back_populates="follow_ups")


class Notification(Base):
    """A message without case content for someone else (the IB: 'a case was opened')."""

    __tablename__ = "case_notifications"

    id = sa.Column(sa.Integer, primary_key=True)
    case_code = sa.Column(sa.String(20), nullable=False)
    channel = sa.Column(sa.String(32), nullable=False)
    recipient = sa.Column(sa.String(255), nullable=False)
    kind = sa.Column(sa.String(32), nullable=False)  # case_opened
    about = sa.Column(sa.String(255), nullable=False)  # who opened it (channel user)
    created_at = sa.Column(UTCDateTime, nullable=False, index=True)
    sent_at = sa.Column(UTCDateTime)
    attempts = sa.Column(sa.Integer, nullable=False, default=0)
    last_error = sa.Column(sa.String(255))


class AuditRecord(Base):
    """Every read or export by someone other than the creator, every refusal, and every case
    removed by the retention period (its code only; the audit outlives the case)."""

    __tablename__ = "case_audit"

    id = sa.Column(sa.Integer, primary_key=True)
    at = sa.Column(UTCDateTime, nullable=False)
    case_code = sa.Column(sa.String(20), nullable=False, index=True)
    actor = sa.Column(sa.String(255), nullable=False)
    action = sa.Column(sa.String(16), nullable=False)  # read | export | close | refused | purge
    allowed = sa.Column(sa.Boolean, nullable=False)


class AppendOnlyError(RuntimeError):
    """An entry, decision or audit record was about to be changed or deleted."""


def _refuse(mapper, connection, target):
    raise AppendOnlyError(f"{type(target).__name__} is append-only")


for _model in (Entry, DecisionRecord, AuditRecord):
    event.listen(_model, "before_update", _refuse)
    event.listen(_model, "before_delete", _refuse)
