"""The case log: cases, entries, decisions, follow-ups, notifications, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(20), nullable=False, unique=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("school_id", sa.String(64), nullable=False),
        sa.Column("opened_channel", sa.String(32), nullable=False),
        sa.Column("opened_by", sa.String(255), nullable=False, index=True),
        sa.Column("casushouder", sa.String(120)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("route_entry", sa.Integer),
        sa.Column("position", sa.String(32)),
        sa.Column("parents_discussed", sa.String(12)),
        sa.Column("parents_reason_enc", sa.Text),
        sa.Column("conclusion_enc", sa.Text),
        sa.Column("opened_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("closed_at", sa.DateTime),
        sa.UniqueConstraint("year", "seq", name="uq_cases_year_seq"),
    )
    op.create_table(
        "case_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("author", sa.String(255), nullable=False),
        sa.Column("step", sa.Integer),
        sa.Column("question", sa.String(32)),
        sa.Column("answer", sa.String(16)),
        sa.Column("outcome", sa.String(64)),
        sa.Column("kind", sa.String(24)),
        sa.Column("text_enc", sa.Text),
        sa.Column("source_enc", sa.Text),
    )
    op.create_table(
        "case_decisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("author", sa.String(255), nullable=False),
        sa.Column("decision", sa.String(32), nullable=False),
        sa.Column("decided_at", sa.Integer),
        sa.Column("with_vt", sa.Boolean, nullable=False),
        sa.Column("answers_json", sa.Text, nullable=False),
    )
    op.create_table(
        "case_follow_ups",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("due_at", sa.DateTime, nullable=False, index=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("recipient", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("sent_at", sa.DateTime),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.String(255)),
    )
    op.create_table(
        "case_notifications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_code", sa.String(20), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("recipient", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("about", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False, index=True),
        sa.Column("sent_at", sa.DateTime),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.String(255)),
    )
    op.create_table(
        "case_audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("case_code", sa.String(20), nullable=False, index=True),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("allowed", sa.Boolean, nullable=False),
    )


def downgrade() -> None:
    for table in ("case_audit", "case_notifications", "case_follow_ups", "case_decisions",
                  "case_entries", "cases"):
        op.drop_table(table)
