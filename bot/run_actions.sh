#!/usr/bin/env bash
# The action server, for the Rasa server on this machine only. It trusts what Rasa sends it
# (who is asking, which case) once the call shows the shared secret (bot/action_secret.sh), and
# it listens on 127.0.0.1, not on the school network. ACTION_HOST changes that (only behind a
# firewall that lets just the Rasa server in).
#   run_actions.sh PORT   (runs in the foreground; callers put it in the background)
set -euo pipefail
PORT=${1:?usage: run_actions.sh PORT}
VENV=${VENV:-.venv}
umask 077  # the case log and its key in var/ are for this user only
source "$(dirname "$0")/action_secret.sh"
SANIC_HOST=${ACTION_HOST:-127.0.0.1} PYTHONWARNINGS=ignore \
  exec "$VENV/bin/rasa" run actions --actions actions --port "$PORT"
