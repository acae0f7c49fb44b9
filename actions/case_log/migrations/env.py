"""Alembic environment for the case log. Run from code (actions/case_log/migrate.py):
the connection comes in through `config.attributes["connection"]`."""
from alembic import context
from sqlalchemy import create_engine

from actions.case_log.models import Base
from actions.case_log.migrate import VERSION_TABLE, database_url

config = context.config


def run(connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata,
                      version_table=VERSION_TABLE, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:  # `alembic` from the command line, e.g. to write a new revision
    with create_engine(database_url()).connect() as conn:
        run(conn)
