#!/usr/bin/env bash
# Serve Meldwijzer over HTTP: the action server in the background and the Rasa server with the
# channels of credentials.yml (the web chat page, the Telegram relay; REST if switched on). Stops both on exit.
#   HOST (default 127.0.0.1), PORT (default 5005), ACTION_PORT (default 5055)
# The Rasa HTTP API (/conversations, /model, ...) is off unless MELDWIJZER_API_TOKEN is set; then
# it is on and every call needs ?token=<that token> (README "Productie").
set -euo pipefail
MODEL=${1:?usage: run_server.sh MODEL}
VENV=${VENV:-.venv}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-5005}
ACTION_PORT=${ACTION_PORT:-5055}
umask 077  # the case log, conversations, key and secrets in var/ are for this user only
mkdir -p .build var

"$VENV/bin/python" -m bot.caselog key
# The secret the Telegram bot process shows to the Rasa server (bot/channels.py).
[ -n "${MELDWIJZER_RELAY_SECRET:-}" ] || [ -s var/relay.secret ] || \
  "$VENV/bin/python" -c "import secrets; print(secrets.token_urlsafe(32))" > var/relay.secret
source bot/action_secret.sh  # MELDWIJZER_ACTION_SECRET, for the action server and endpoints.yml

bash bot/run_actions.sh "$ACTION_PORT" >.build/action_server.log 2>&1 &
ACTION_PID=$!
trap 'kill "$ACTION_PID" 2>/dev/null; wait "$ACTION_PID" 2>/dev/null || true' EXIT INT TERM

echo "Meldwijzer draait op http://$HOST:$PORT"
echo "  Webchat:  http://$HOST:$PORT/webhooks/webchat/"
grep -q '^bot.channels.RestChannel:' credentials.yml && \
  echo "  REST:     POST http://$HOST:$PORT/webhooks/rest/webhook (alleen met token)"
echo "Stoppen: Ctrl+C"
API_ARGS=()
if [ -n "${MELDWIJZER_API_TOKEN:-}" ]; then
  API_ARGS=(--enable-api --auth-token "$MELDWIJZER_API_TOKEN")
  echo "  HTTP API: aan, alleen met token"
fi
PYTHONWARNINGS=ignore "$VENV/bin/rasa" run "${API_ARGS[@]}" --model "$MODEL" --endpoints endpoints.yml \
  --credentials credentials.yml --interface "$HOST" --port "$PORT" \
  --log-file .build/rasa_server.log ${RASA_EXTRA_ARGS:-}
