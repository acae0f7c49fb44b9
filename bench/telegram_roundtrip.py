"""From a Telegram update to the bot's reply: the real python-telegram-bot Application polling
a fake Bot API on 127.0.0.1, relaying to a real Rasa server (trained model, action server).

  .venv/bin/python -m bench.telegram_roundtrip [--n 100]

Time = from the moment the update is available at the (fake) Bot API to the moment the bot's
first reply message reaches it; includes long polling, the relay, NLU, dialogue and actions.
Prints median and p95 and writes .build/results/telegram_roundtrip.json.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import yaml  # noqa: E402

from conftest import MODEL, RESULTS, start_actions, start_rasa, stop  # noqa: E402
from fake_telegram import FakeTelegram, RunningBot  # noqa: E402

USER = 700301  # fictitious
MESSAGES = ["menu", "wat is de kindcheck", "wie is de aandachtsfunctionaris", "mag ik anoniem advies vragen",
            "hij sloeg haar met een riem", "dank je"]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.telegram_roundtrip")
    parser.add_argument("--n", type=int, default=100)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="mw-bench-tg-"))
    staff = tmp / "staff.yml"
    staff.write_text(yaml.safe_dump({"staff": [{"telegram_id": USER, "school": "voorbeeldschool",
                                                "role": "leerkracht", "display_name": "Bench"}]}))
    actions = start_actions(tmp)
    rasa = start_rasa(MODEL, actions.webhook, tmp)  # type: ignore[attr-defined]
    fake = FakeTelegram()
    bot = RunningBot({"TELEGRAM_BOT_TOKEN": "123456:BENCH", "TELEGRAM_API_URL": fake.url,
                      "MELDWIJZER_RASA_URL": rasa.base_url,  # type: ignore[attr-defined]
                      "MELDWIJZER_TELEGRAM_STAFF": str(staff),
                      "MELDWIJZER_RELAY_SECRET": os.environ["MELDWIJZER_RELAY_SECRET"]})
    times = []
    try:
        for i in range(args.n + 5):
            since = len(fake.sent)
            sent_at = fake.message(USER, MESSAGES[i % len(MESSAGES)])
            fake.wait_until(lambda sent: any(m["method"] == "sendMessage" for m in sent[since:]))
            first = next(m for m in fake.sent[since:] if m["method"] == "sendMessage")
            # Let the rest of this turn's messages arrive before the next update.
            count = len(fake.sent)
            while True:
                try:
                    fake.wait_until(lambda sent: len(sent) > count, timeout=0.3)
                    count = len(fake.sent)
                except AssertionError:
                    break
            if i >= 5:  # the first turns warm up
                times.append((first["at"] - sent_at) * 1000)
    finally:
        bot.stop()
        fake.close()
        stop(rasa)
        stop(actions)
    times.sort()
    result = {"n": len(times), "median_ms": round(statistics.median(times), 1),
              "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1), "max_ms": round(times[-1], 1)}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "telegram_roundtrip.json").write_text(json.dumps(result, indent=2))
    print(f"Telegram update -> reply (fake Bot API, {result['n']} messages): "
          f"median {result['median_ms']} ms, p95 {result['p95_ms']} ms, max {result['max_ms']} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
