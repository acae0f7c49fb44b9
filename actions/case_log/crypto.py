"""Encryption of the case log's free text (Fernet, from `cryptography`).

The key comes from the environment: MELDWIJZER_CASE_KEY (one key, or several separated by
commas: the first encrypts, all decrypt, so a key can be rotated), else the file named by
MELDWIJZER_CASE_KEY_FILE (default var/case.key, made by `make chat` when there is none).
Without a key nothing with free text is written: the caller tells the user it was not saved.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import List, Optional, Tuple

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_KEY_FILE = PROJECT_ROOT / "var" / "case.key"


class KeyMissing(RuntimeError):
    """No encryption key is configured."""


class Cipher:
    def __init__(self, keys: List[bytes]) -> None:
        if not keys:
            raise KeyMissing("no case-log key")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def encrypt(self, text: Optional[str]) -> Optional[str]:
        if text is None:
            return None
        return self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def decrypt(self, token: Optional[str]) -> Optional[str]:
        if token is None:
            return None
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            return "[niet te ontsleutelen: andere sleutel]"

    def rotate(self, token: str) -> Optional[str]:
        """The same text encrypted with the first key (actions/case_log/rekey.py); None when
        no configured key decrypts the token."""
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except InvalidToken:
            return None


def key_file() -> Path:
    return Path(os.environ.get("MELDWIJZER_CASE_KEY_FILE") or DEFAULT_KEY_FILE)


def configured_keys() -> List[bytes]:
    raw = os.environ.get("MELDWIJZER_CASE_KEY", "").strip()
    if not raw:
        path = key_file()
        raw = path.read_text(encoding="ascii").strip() if path.exists() else ""
    return [part.strip().encode("ascii") for part in raw.split(",") if part.strip()]


def cipher_from_environment() -> Cipher:
    return Cipher(configured_keys())


def ensure_key_file() -> Tuple[Path, bool]:
    """Make a key file if no key is configured. Returns (path, created)."""
    path = key_file()
    if os.environ.get("MELDWIJZER_CASE_KEY", "").strip() or path.exists():
        return path, False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(Fernet.generate_key().decode("ascii") + "\n")
    return path, True
