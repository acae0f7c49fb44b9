# Meldwijzer: every routine task has a target here. Start with `make chat` or `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
PY        := $(VENV)/bin/python
RASA      := $(VENV)/bin/rasa
STAMP     := $(VENV)/.installed-lock
SPACY_DIR := .build/spacy_nl
MODEL     := models/meldwijzer.tar.gz
TRAIN_DATA := data/nlu data/stories data/meldcode/faq
RESULTS   := .build/results
# Our own NLU components and the lexicon they load: Rasa's cache does not see their code.
NLU_CODE  := $(wildcard bot/safety_net*.py bot/safety_net*.yml bot/sentence_focus.py bot/token_cap.py)
# Everything that changes what the model learns or how NLU runs.
TRAIN_INPUTS := config.yml domain.yml $(shell find $(TRAIN_DATA) -name '*.yml' 2>/dev/null) $(NLU_CODE)

export TF_CPP_MIN_LOG_LEVEL := 2
# Nothing leaves this machine: no usage telemetry.
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONPATH := $(CURDIR)

.PHONY: help chat test install spacy train validate pytest test-stories actions lock clean export purge rekey bench \
        browser webchat serve telegram eval

help:
	@echo "make chat   - installeren, bouwen, trainen (alleen als nodig) en chatten in de terminal"
	@echo "make test   - zelfde set-up, dan rasa data validate, pytest en rasa test"
	@echo "make train  - model trainen als data/config/domain veranderd zijn"
	@echo "make webchat - de server starten met de webchat (http://127.0.0.1:5005/webhooks/webchat/)"
	@echo "make telegram - de Telegram-bot starten (TELEGRAM_BOT_TOKEN, zie README)"
	@echo "make actions - alleen de action server starten (poort 5055)"
	@echo "make export CASE=MW-... AS=kanaal:id - dossiernotitie van een casus"
	@echo "make purge  - casussen en gesprekken na de bewaartermijn verwijderen"
	@echo "make rekey  - alles opnieuw versleutelen met de nieuwe sleutel (sleutel wisselen, zie README)"
	@echo "make bench  - snelheid en geheugen meten (± 25 min), resultaat in .build/results/bench.md"
	@echo "make eval   - NLU-kwaliteit naast Rasa's standaardpijplijn (± 2 uur), resultaat in .build/eval/"

$(STAMP): requirements.lock
	@PYBIN=$$(bash bot/find_python.sh) && \
	  if [ ! -x $(PY) ]; then echo "Virtuele omgeving maken met $$PYBIN"; "$$PYBIN" -m venv $(VENV); fi
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.lock
	@touch $@

install: $(STAMP)

$(SPACY_DIR)/meta.json: $(STAMP) bot/build_spacy.py
	$(PY) -m bot.build_spacy $(SPACY_DIR)

spacy: $(SPACY_DIR)/meta.json

# Rasa's cache fingerprints the spaCy model by its name, so a rebuilt pipeline forces a full retrain;
# and a component by its config, not its code, so a change in our own components (NLU_CODE) does too.
$(MODEL): $(SPACY_DIR)/meta.json $(TRAIN_INPUTS)
	@mkdir -p models
	@start=$$(date +%s); \
	$(RASA) train --data $(TRAIN_DATA) --out models --fixed-model-name meldwijzer \
	  $(if $(filter $(SPACY_DIR)/meta.json $(NLU_CODE),$?),--force) && \
	echo "Training took $$(( $$(date +%s) - start )) s" | tee .build/train_time.txt

train: $(MODEL)

chat: $(MODEL)
	@bash bot/run_chat.sh $(MODEL)

# The Rasa server with every channel of credentials.yml: the web chat page, the Telegram relay (REST if on).
webchat serve: $(MODEL)
	@bash bot/run_server.sh $(MODEL)

# The Telegram bot (TELEGRAM_BOT_TOKEN; allowlist var/telegram_staff.yml); starts the server if needed.
telegram: $(MODEL)
	@bash bot/run_telegram.sh $(MODEL)

actions: $(STAMP)
	@bash bot/run_actions.sh 5055

# The case log for the IB and IT: `make export CASE=MW-2026-0007 AS=telegram:12345`, `make purge`.
export: $(STAMP)
	@$(PY) -m bot.caselog export $(CASE) --as $(AS)

purge: $(STAMP)
	@$(PY) -m bot.caselog purge

rekey: $(STAMP)
	@$(PY) -m bot.caselog rekey

# Speed targets live here, never in unit tests.
bench: $(MODEL)
	$(PY) -m bench.caselog_write
	$(PY) -m bench.telegram_roundtrip
	$(PY) -m bench.load
	$(PY) -m bench.long_messages

# NLU quality next to Rasa's default pipeline: held-out set, cross-validation, safety net; then the
# independent understanding rounds (first-sight figures and today's, per class: bench/understanding.py).
# Results in .build/eval/ (summary.md). Slow (± 2 h): see bench/eval_nlu.py; EVAL_ARGS="--skip-cv" or "--cv-default".
eval: $(MODEL)
	$(PY) -m bench.eval_nlu $(EVAL_ARGS)
	$(PY) -m bench.understanding

validate: $(STAMP)
	$(PY) -m bot.validate_data $(TRAIN_DATA)

# The web chat tests use Debian's Chromium (no test tool downloads a browser of its own).
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); echo "Chromium installeren (Debian-pakketten)"; \
	  $$SUDO apt-get install -y -q chromium chromium-driver >/dev/null || \
	  { $$SUDO apt-get update -q >/dev/null && $$SUDO apt-get install -y -q chromium chromium-driver >/dev/null; }; \
	fi

pytest: $(MODEL) browser
	$(PY) -m pytest -q tests

test-stories: $(MODEL)
	@mkdir -p $(RESULTS)
	$(RASA) test core --stories tests/stories --model $(MODEL) --out $(RESULTS)/core \
	  --fail-on-prediction-errors

test: validate $(MODEL) pytest test-stories

lock: $(STAMP)
	@{ echo "# Exact versions for Python 3.10 (Rasa 3.6.21). Generated by 'make lock' from requirements.in."; \
	   $(PY) -m pip install -q -r requirements.in && $(PY) -m pip freeze --exclude-editable; } > requirements.lock.new
	mv requirements.lock.new requirements.lock

clean:
	rm -rf .build models .rasa
