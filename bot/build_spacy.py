"""Build the Dutch spaCy pipeline that Rasa's SpacyNLP loads.

No pretrained Dutch pipeline can be downloaded (offline machines), so the pipeline is
built from code: a blank Dutch tokenizer, a rule-based sentencizer and the lookup lemmatizer, whose tables come
from the installed spacy-lookups-data package. The result is written with `to_disk()`
because SpacyNLP only accepts a directory with a meta.json.

Usage: python -m bot.build_spacy OUTPUT_DIR
"""
from __future__ import annotations

import sys
from pathlib import Path

import spacy

PIPELINE_NAME = "meldwijzer_nl"
# Bump when the pipeline changes, so `make` knows the trained model is stale.
PIPELINE_VERSION = "1.0.0"


def build_pipeline() -> "spacy.language.Language":
    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")  # sentence bounds: the safety net pairs signals per sentence
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()  # loads the lookup tables from spacy-lookups-data
    nlp.meta["name"] = PIPELINE_NAME
    nlp.meta["version"] = PIPELINE_VERSION
    nlp.meta["description"] = "Blank Dutch tokenizer + sentencizer + lookup lemmatizer, built offline."
    return nlp


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[1])
    out.parent.mkdir(parents=True, exist_ok=True)
    nlp = build_pipeline()
    nlp.to_disk(out)
    check = spacy.load(out)
    lemmas = [t.lemma_ for t in check("leerlingen werden gepest")]
    print(f"spaCy pipeline written to {out} (lemmas check: {' '.join(lemmas)})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
