"""Key rotation: re-encrypt every stored Fernet token with the first configured key.

Rotating a key (README "Sleutel wisselen"): put the new key first in MELDWIJZER_CASE_KEY,
keep the old one after it ("new,old": the first encrypts, all decrypt), restart the servers,
run `python -m bot.caselog rekey`, then drop the old key. This module does the middle step:
every `*_enc` column of the case log and every row of Rasa's `events` table (the encrypted
tracker store) is decrypted with any configured key and encrypted again with the first.
Rows written before encryption was switched on (plain JSON in `events`) are encrypted now.

The writes are SQL UPDATEs of the token only (no ORM), in batches, each batch one
transaction: the append-only rule of the case log (models.py) guards what an entry says,
and the re-encrypted token says the same. A token no configured key can read is left as it
is and counted, so the old key is not dropped while something still needs it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, List, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from .crypto import Cipher
from .models import Base

BATCH = 500
EVENTS_TABLE = "events"  # Rasa's SQLTrackerStore


@dataclass
class RekeyReport:
    rewritten: int = 0
    unreadable: int = 0  # tokens no configured key decrypts: left as they are
    tables: Tuple[str, ...] = ()


def encrypted_columns() -> List[Tuple[sa.Table, sa.Column]]:
    """The case log's (table, column) pairs that hold Fernet tokens (named *_enc)."""
    return [(table, column) for table in Base.metadata.sorted_tables
            for column in table.columns if column.name.endswith("_enc")]


def _rows(engine: Engine, table: sa.Table, column: sa.Column) -> Iterator[List[Tuple[int, str]]]:
    """Batches of (primary key, value) with a value, in primary-key order."""
    key = list(table.primary_key.columns)[0]
    last: Optional[int] = None
    while True:
        query = sa.select(key, column).where(column.isnot(None)).order_by(key).limit(BATCH)
        if last is not None:
            query = query.where(key > last)
        with engine.connect() as conn:
            batch = [(row[0], row[1]) for row in conn.execute(query)]
        if not batch:
            return
        yield batch
        last = batch[-1][0]


def _rewrite(engine: Engine, table: sa.Table, column: sa.Column, cipher: Cipher,
             plain_json_allowed: bool, report: RekeyReport) -> None:
    key = list(table.primary_key.columns)[0]
    for batch in _rows(engine, table, column):
        updates = []
        for row_id, value in batch:
            if plain_json_allowed and value.lstrip().startswith("{"):
                updates.append((row_id, cipher.encrypt(value)))
                continue
            rotated = cipher.rotate(value)
            if rotated is None:
                report.unreadable += 1
            else:
                updates.append((row_id, rotated))
        if updates:
            with engine.begin() as conn:
                for row_id, value in updates:
                    conn.execute(sa.update(table).where(key == row_id).values({column.name: value}))
            report.rewritten += len(updates)


def rekey_case_log(engine: Engine, cipher: Cipher, report: Optional[RekeyReport] = None) -> RekeyReport:
    report = report or RekeyReport()
    present = set(sa.inspect(engine).get_table_names())
    for table, column in encrypted_columns():
        if table.name in present:
            _rewrite(engine, table, column, cipher, False, report)
            report.tables += (f"{table.name}.{column.name}",)
    return report


def rekey_tracker(engine: Engine, cipher: Cipher, report: Optional[RekeyReport] = None) -> RekeyReport:
    """Rasa's `events.data` (nothing to do when the tracker database has no such table)."""
    report = report or RekeyReport()
    if EVENTS_TABLE not in sa.inspect(engine).get_table_names():
        return report
    events = sa.Table(EVENTS_TABLE, sa.MetaData(), autoload_with=engine)
    _rewrite(engine, events, events.c.data, cipher, True, report)
    report.tables += (f"{EVENTS_TABLE}.data",)
    return report
