#!/usr/bin/env bash
# `make telegram`: the Telegram bot (bot/telegram_bot.py). If no Rasa server answers at
# MELDWIJZER_RASA_URL (default http://127.0.0.1:5005), one is started here (bot/run_server.sh)
# and stopped again when the bot stops.
set -euo pipefail
MODEL=${1:?usage: run_telegram.sh MODEL}
VENV=${VENV:-.venv}
RASA_URL=${MELDWIJZER_RASA_URL:-http://127.0.0.1:5005}
umask 077
mkdir -p .build var
if [ -z "${TELEGRAM_BOT_TOKEN:-}" ]; then
  echo "Zet eerst TELEGRAM_BOT_TOKEN (van @BotFather). Zie README, 'Telegram'." >&2; exit 2
fi
STAFF=${MELDWIJZER_TELEGRAM_STAFF:-var/telegram_staff.yml}
if [ ! -s "$STAFF" ]; then
  echo "Geen lijst met medewerkers in $STAFF: niemand krijgt toegang." >&2
  echo "Voorbeeld: data/schools/telegram_staff.example.yml (kopieer naar $STAFF)." >&2
fi

up() { "$VENV/bin/python" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" "$RASA_URL/" 2>/dev/null; }
SERVER_PID=
if ! up; then
  echo "Rasa-server starten (log: .build/rasa_server.log)"
  bash bot/run_server.sh "$MODEL" >.build/run_server.out 2>&1 &
  SERVER_PID=$!
  trap 'kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null || true' EXIT INT TERM
  for _ in $(seq 1 240); do
    up && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "De Rasa-server startte niet; zie .build/run_server.out" >&2; exit 1; }
    sleep 0.5
  done
fi
MODE=polling; [ -z "${TELEGRAM_WEBHOOK_URL:-}" ] || MODE=webhook
echo "Telegram-bot start ($MODE). Stoppen: Ctrl+C"
PYTHONWARNINGS=ignore "$VENV/bin/python" -m bot.telegram_bot
