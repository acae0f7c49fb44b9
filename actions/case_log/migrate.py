"""Where the case log lives, and bringing its tables up to date (Alembic, on first use).

MELDWIJZER_DB_URL picks the database: a SQLAlchemy URL such as
postgresql://meldwijzer@db.example/meldwijzer. Without it, a SQLite file in var/ is used
(zero set-up).
"""
from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DEFAULT_SQLITE = PROJECT_ROOT / "var" / "caselog.db"
VERSION_TABLE = "case_log_alembic_version"  # apart from Rasa's tables in a shared database
_PG_LOCK_ID = 0x4D57_0001  # advisory lock: one migration at a time across processes


def database_url() -> str:
    return os.environ.get("MELDWIJZER_DB_URL") or f"sqlite:///{DEFAULT_SQLITE}"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def migrate(engine: Engine) -> None:
    """Upgrade the case-log tables to the newest revision (does nothing when they are)."""
    config = alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_LOCK_ID})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def current_revision(engine: Engine) -> str:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision() or ""
