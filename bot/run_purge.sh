#!/usr/bin/env bash
# The retention period, for cron and the systemd timer (deploy/): `python -m bot.caselog purge`
# in the install folder this script lies in. Cron and systemd do not have the settings of the
# shell that starts the servers: put the same MELDWIJZER_DB_URL, MELDWIJZER_TRACKER_DB_URL and
# MELDWIJZER_SCHOOL (as NAME=value lines) in var/meldwijzer.env. Exit code not 0: look at it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f var/meldwijzer.env ]; then
  set -a
  . var/meldwijzer.env
  set +a
fi
export PYTHONPATH="$PWD" TF_CPP_MIN_LOG_LEVEL=2 RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1
exec "${VENV:-.venv}/bin/python" -m bot.caselog purge "$@"
