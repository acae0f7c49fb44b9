#!/usr/bin/env bash
# Start the action server in the background, open `rasa shell`, stop the action server on exit.
# `rasa shell` runs a Rasa server of its own (its REST channel takes any sender): it listens on
# 127.0.0.1 only, never on the school network (Rasa's default is 0.0.0.0). The terminal chat has
# no use for another address, so unlike bot/run_server.sh there is no HOST to open it.
#   CHAT_PORT (default 5005), ACTION_PORT (default 5055)
set -euo pipefail
MODEL=${1:?usage: run_chat.sh MODEL}
VENV=${VENV:-.venv}
CHAT_PORT=${CHAT_PORT:-5005}
PORT=${ACTION_PORT:-5055}
LOG=.build/action_server.log
umask 077  # the case log, conversations and key in var/ are for this user only
mkdir -p .build var

# The case log's encryption key: made once (git-ignored var/case.key) if none is configured.
"$VENV/bin/python" -m bot.caselog key
# One conversation per terminal user, kept across restarts (a random id, not a name).
[ -s var/terminal.id ] || "$VENV/bin/python" -c "import uuid; print('terminal-' + uuid.uuid4().hex[:12])" > var/terminal.id
CONVERSATION=$(cat var/terminal.id)

bash bot/run_actions.sh "$PORT" >"$LOG" 2>&1 &
ACTION_PID=$!
trap 'kill "$ACTION_PID" 2>/dev/null; wait "$ACTION_PID" 2>/dev/null || true' EXIT INT TERM

for _ in $(seq 1 120); do
  if "$VENV/bin/python" - "$PORT" <<'PY' 2>/dev/null; then break; fi
import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/health", timeout=1)
PY
  if ! kill -0 "$ACTION_PID" 2>/dev/null; then
    echo "De action server startte niet; zie $LOG" >&2; exit 1
  fi
  sleep 0.5
done

echo "Meldwijzer start. Typ 'hoi' of 'menu'. Stoppen: /stop"
# Reminders that came due for this terminal user (follow-ups of their cases).
"$VENV/bin/python" -m bot.followups --show-for "cmdline:$CONVERSATION" || true
# Quiet: warnings only on screen; the log file keeps the rest (never message text at INFO).
PYTHONWARNINGS=ignore "$VENV/bin/rasa" shell -m "$MODEL" --endpoints endpoints.yml --quiet \
  --interface 127.0.0.1 --port "$CHAT_PORT" \
  --conversation-id "$CONVERSATION" \
  --log-file .build/rasa_shell.log
