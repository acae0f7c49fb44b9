#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter (Rasa 3.6 supports 3.8-3.10 only).
# Looks at PATH, then pyenv, then the usual install places. Exits 1 with a Dutch/English
# message naming what to install when none is found.
set -u
is_310() { "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1; }
candidates=()
[ -n "${PYTHON310:-}" ] && candidates+=("$PYTHON310")
command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
if command -v pyenv >/dev/null 2>&1; then
  for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.|$)' | sort -rV); do
    candidates+=("$(pyenv root)/versions/$v/bin/python3.10")
  done
fi
for p in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do
  [ -x "$p" ] && candidates+=("$p")
done
for c in "${candidates[@]}"; do
  if is_310 "$c"; then echo "$c"; exit 0; fi
done
cat >&2 <<'MSG'
Python 3.10 niet gevonden. Meldwijzer gebruikt Rasa 3.6, dat alleen met Python 3.8-3.10 werkt.
Installeer Python 3.10, bijvoorbeeld:  pyenv install 3.10.13   of   apt-get install python3.10 python3.10-venv
of wijs er een aan met:  make chat PYTHON310=/pad/naar/python3.10
(Python 3.10 not found: Rasa 3.6 needs Python 3.8-3.10. Install python3.10 or set PYTHON310.)
MSG
exit 1
