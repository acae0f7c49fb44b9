"""Telegram is not end-to-end encrypted: what the bot sends passes Telegram's servers. A case's
content (the dossier note, notes, free-text answers) must not go back over Telegram; the export
says where to export instead. The real python-telegram-bot Application against the fake Bot API
(what reaches the fake is what would pass Telegram), the real Rasa server and action server."""
from __future__ import annotations

import os
import re
from typing import Iterator, List

import pytest
import yaml

from actions.case_log.dialogue import get_store
from actions.case_log.export import dossier_note
from actions.case_log.store import Actor, utcnow

from fake_telegram import FakeTelegram, RunningBot

TEACHER = 700301  # fictitious Telegram user id, on the allowlist
MARKER = "kenmerk-qzx-7731"  # in a note; must never come back over Telegram
NOTE = f"Gezien bij de fietsenstalling, een scheur in de jas, {MARKER}."
CODE = re.compile(r"MW-\d{4}-\d{4}")


@pytest.fixture
def telegram(rasa_server, tmp_path) -> Iterator[FakeTelegram]:
    staff = tmp_path / "staff.yml"
    staff.write_text(yaml.safe_dump({"staff": [{"telegram_id": TEACHER, "school": "voorbeeldschool",
                                                "role": "leerkracht", "display_name": "Leerkracht"}]}))
    fake = FakeTelegram()
    bot = RunningBot({"TELEGRAM_BOT_TOKEN": "123456:TEST-TOKEN", "TELEGRAM_API_URL": fake.url,
                      "MELDWIJZER_RASA_URL": rasa_server, "MELDWIJZER_TELEGRAM_STAFF": str(staff),
                      "MELDWIJZER_RELAY_SECRET": os.environ["MELDWIJZER_RELAY_SECRET"]})
    yield fake
    bot.stop()
    fake.close()


def say(fake: FakeTelegram, text: str, until: str) -> str:
    """Send `text` as the teacher; wait for a message containing `until`; the new texts joined."""
    since = len(fake.sent)
    fake.message(TEACHER, text)
    fake.wait_until(lambda sent: any(until in (m.get("text") or "") for m in sent[since:]
                                     if m["method"] == "sendMessage"))
    return "\n".join(fake.texts(since))


def add_note(send, note: str) -> None:
    assert "Wat voor notitie is het?" in send("ik wil een notitie toevoegen", "Wat voor notitie")
    assert "Schrijf de notitie" in send("feit", "Schrijf de notitie")
    assert "Notitie opgeslagen" in send(note, "Notitie opgeslagen")


def test_no_case_content_goes_back_over_telegram(telegram):
    def send(text: str, until: str) -> str:
        return say(telegram, text, until)

    send("/start", "Waar kan ik je mee helpen")
    code = CODE.search(send("ik maak me zorgen om een meisje uit mijn klas", "MW-")).group()
    since = len(telegram.sent)
    add_note(send, NOTE)
    # The note is in the case: an export elsewhere would carry it.
    case = get_store().read_case(code, Actor("telegram", str(TEACHER)), "export")
    assert MARKER in dossier_note(case, utcnow(), None)

    for asking in ("exporteer", f"exporteer {code}", "geef me de dossiernotitie"):
        text = send(asking, "niet via Telegram")
        assert "DOSSIERNOTITIE" not in text and MARKER not in text
        assert "webchat" in text and "make export" in text and "0800-2000" in text
    assert code in send(f"exporteer {code}", "niet via Telegram")
    assert code in send("mijn casussen", "open casussen")
    send(f"verder met {code}", "We gaan verder")
    sent: List[str] = telegram.texts(since)
    assert not [t for t in sent if MARKER in t or "DOSSIERNOTITIE" in t], sent


def test_the_rest_channel_still_exports(chat):
    code = CODE.search(chat.say("ik maak me zorgen om een meisje uit mijn klas")).group()
    add_note(lambda text, until: chat.say(text), NOTE)
    text = chat.say("exporteer")
    assert f"DOSSIERNOTITIE MELDCODE - casus {code}" in text and MARKER in text
    assert "niet via Telegram" not in text
