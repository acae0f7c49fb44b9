# Sourced by run_actions.sh, run_chat.sh and run_server.sh (needs VENV): the secret the Rasa
# server shows the action server (header X-Meldwijzer-Action: endpoints.yml sends it,
# actions/server_guard.py checks it). MELDWIJZER_ACTION_SECRET if set, else the git-ignored
# file var/action.secret (MELDWIJZER_ACTION_SECRET_FILE), made here once, for this user only.
# Exported, so the Rasa server (endpoints.yml: ${MELDWIJZER_ACTION_SECRET}) and the action
# server started from the same script use the same one.
if [ -z "${MELDWIJZER_ACTION_SECRET:-}" ]; then
  ACTION_SECRET_FILE=${MELDWIJZER_ACTION_SECRET_FILE:-var/action.secret}
  if [ ! -s "$ACTION_SECRET_FILE" ]; then
    (umask 077 && mkdir -p "$(dirname "$ACTION_SECRET_FILE")" && \
      "$VENV/bin/python" -c "import secrets; print(secrets.token_urlsafe(32))" > "$ACTION_SECRET_FILE")
  fi
  MELDWIJZER_ACTION_SECRET=$(cat "$ACTION_SECRET_FILE")
  export MELDWIJZER_ACTION_SECRET
fi
