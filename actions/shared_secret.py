"""A secret two Meldwijzer processes share (no Rasa imports): the environment variable NAME,
else the file named by NAME_FILE (default: a git-ignored file in var/, made by bot/run_*.sh
for this user only). Used for the action server's secret (actions/server_guard.py) and the
Telegram relay's (bot/channels.py)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional


def configured_secret(name: str, default_file: str) -> Optional[str]:
    """The secret, stripped; None when neither the variable nor the file holds one."""
    secret = os.environ.get(name, "").strip()
    if secret:
        return secret
    try:
        return Path(os.environ.get(f"{name}_FILE", default_file)).read_text(encoding="ascii").strip() or None
    except (OSError, UnicodeDecodeError):
        return None
