"""How long one case-log write takes: one answer of the route (an entry with encrypted free
text and the new position), as the action server writes it, on SQLite and PostgreSQL.

  .venv/bin/python -m bench.caselog_write [--n 300]

Prints median and p95 per database. PostgreSQL at 127.0.0.1:5432 (MELDWIJZER_TEST_PG_URL).
A fresh database per run; nothing is left behind.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from cryptography.fernet import Fernet

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from actions.case_log.crypto import Cipher  # noqa: E402
from actions.case_log.store import Actor, CaseStore, utcnow  # noqa: E402

USER = Actor("rest", "bench")
TEXT = "Blauwe plek op de bovenarm, gezien bij het omkleden voor de gymles. " * 3


def measure(url: str, n: int) -> list:
    store = CaseStore(url, cipher=Cipher([Fernet.generate_key()]))
    code = store.open_case(USER, "voorbeeldschool", route_entry=1)
    times = []
    for i in range(n + 10):
        writes = [{"op": "entry", "at": utcnow().isoformat(), "step": 1, "question": "s1_signalen",
                   "kind": "fact", "text": TEXT}, {"op": "position", "position": "s1_context"}]
        start = time.perf_counter()
        store.apply(code, USER, writes)
        elapsed = time.perf_counter() - start
        if i >= 10:  # the first writes warm up the connection pool
            times.append(elapsed * 1000)
    store.engine.dispose()
    return times


def report(name: str, times: list) -> None:
    ordered = sorted(times)
    p95 = ordered[int(round(0.95 * (len(ordered) - 1)))]
    print(f"{name:11s} n={len(times)}  median {statistics.median(times):6.2f} ms   p95 {p95:6.2f} ms")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report("SQLite", measure(f"sqlite:///{tmp}/bench.db", args.n))
    from pg import PG_ADMIN_URL

    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"mw_bench_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        print(f"PostgreSQL    not reachable ({error.orig}); skipped")
        return 0
    try:
        report("PostgreSQL", measure(sa.engine.make_url(PG_ADMIN_URL).set(database=name)
                                     .render_as_string(hide_password=False), args.n))
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    return 0


if __name__ == "__main__":
    sys.exit(main())
