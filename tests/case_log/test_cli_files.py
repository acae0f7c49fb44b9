"""`make export` / `make purge` (`python -m bot.caselog`) make their files for this user only,
whatever the shell's umask: the key, the SQLite case log and the folders they are put in."""
from __future__ import annotations

import os
import stat
import subprocess
import sys

from conftest import ROOT, SERVER_ENV


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def caselog(*args: str, env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.caselog", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120,
                          preexec_fn=lambda: os.umask(0o022))  # a usual shell: files for everyone to read


def test_the_cli_makes_key_and_database_for_this_user_only(tmp_path):
    key, database = tmp_path / "keys" / "case.key", tmp_path / "data" / "caselog.db"
    env = {k: v for k, v in SERVER_ENV.items() if k != "MELDWIJZER_CASE_KEY"}
    env.update(MELDWIJZER_CASE_KEY_FILE=str(key), MELDWIJZER_DB_URL=f"sqlite:///{database}")
    assert caselog("key", env=env).returncode == 0
    purged = caselog("purge", "--days", "730", env=env)
    assert purged.returncode == 0, purged.stderr
    assert mode(key) == 0o600 and mode(key.parent) == 0o700
    assert mode(database) == 0o600 and mode(database.parent) == 0o700
