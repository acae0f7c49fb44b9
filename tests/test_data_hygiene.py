"""Training data, test sets, responses and the repository itself: rules that keep them honest."""
from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, load_examples

NLU_TRAIN = sorted((ROOT / "data" / "nlu").glob("*.yml"))
NLU_TEST = sorted((ROOT / "tests" / "nlu").glob("*.yml"))
SAFETY_TEST = sorted((ROOT / "tests" / "safety").glob("*.yml"))
FAQ_RESPONSES = sorted((ROOT / "data" / "meldcode" / "faq").glob("faq_responses_*.yml"))


def normalise(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def training_examples():
    out = {}
    for path in NLU_TRAIN:
        for intent, texts in load_examples(path).items():
            out.setdefault(intent, []).extend(texts)
    return out


def test_every_intent_has_at_least_20_examples():
    per_intent = {}
    for intent, texts in training_examples().items():
        per_intent.setdefault(intent.split("/")[0], []).extend(texts)
    small = {i: len(t) for i, t in per_intent.items() if len(t) < 20}
    assert not small, small


def test_every_faq_answer_has_enough_examples():
    faq = {i: t for i, t in training_examples().items() if i.startswith("faq/")}
    assert len(faq) >= 40
    assert all(len(t) >= 12 for t in faq.values()), {i: len(t) for i, t in faq.items() if len(t) < 12}


def test_no_test_phrase_appears_in_training_data():
    train = {normalise(t) for texts in training_examples().values() for t in texts}
    tested = [t for path in NLU_TEST for texts in load_examples(path).values() for t in texts]
    for path in SAFETY_TEST:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        tested += [item["text"] for items in data.values() for item in items]
    leaked = [t for t in tested if normalise(t) in train]
    assert not leaked, leaked


UNDERSTANDING_SETS = sorted((ROOT / "tests" / "understanding").glob("round*.yml"))


def test_no_sentence_of_an_independent_set_is_in_the_training_data():
    """The understanding rounds (tests/understanding) stay apart from training: no message or
    conversation turn of four words or more appears among the examples. (Shorter turns such
    as "ja" or "nee hoor" are answers every assistant is trained on.)"""
    assert len(UNDERSTANDING_SETS) >= 1
    train = {normalise(t) for texts in training_examples().values() for t in texts}
    leaked = []
    for path in UNDERSTANDING_SETS:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        texts = [str(m["text"]) for m in data.get("messages") or []]
        texts += [str(t) for c in data.get("conversations") or [] for t in c["turns"]]
        leaked += [(path.name, t) for t in texts if len(t.split()) >= 4 and normalise(t) in train]
    assert not leaked, leaked


def test_no_duplicate_training_examples():
    seen, duplicates = {}, []
    for intent, texts in training_examples().items():
        for text in texts:
            key = normalise(text)
            if key in seen:
                duplicates.append((text, seen[key], intent))
            seen[key] = intent
    assert not duplicates, duplicates[:10]


def faq_responses():
    responses, sources = {}, {}
    for path in FAQ_RESPONSES:
        lines = path.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            match = re.match(r"\s+(utter_faq/\w+):\s*$", line)
            if match:
                sources[match.group(1)] = lines[i - 1].strip() if i else ""
        responses.update(yaml.safe_load(path.read_text(encoding="utf-8"))["responses"])
    return responses, sources


def test_every_faq_key_has_exactly_one_answer_with_its_protocol_source():
    responses, sources = faq_responses()
    keys = {i.split("/")[1] for i in training_examples() if i.startswith("faq/")}
    assert {k.split("/")[1] for k in responses} == keys
    for key, source in sources.items():
        assert re.match(r"# bron: protocol 00[0-4]", source), (key, source)


@pytest.mark.parametrize("key", sorted(faq_responses()[0]))
def test_faq_answers_fit_a_phone_and_use_only_known_numbers(key):
    text = faq_responses()[0][key][0]["text"]
    assert len(text) <= 650, len(text)
    numbers = re.findall(r"\b\d[\d -]{2,}\d\b", text)
    assert all(n.replace(" ", "") in {"112", "0800-2000"} for n in numbers if len(n) > 3 or n == "112"), numbers


# sha256 of the surnames and personal phone numbers of real people named in protocol 003's
# social map: they must never be copied into the project (the hashes keep them out of it too).
REAL_PEOPLE = {
    "95ad54a3749ccba757b1b14e4db9c1eb4cdab7c82c67424115844e0969f23b2a",
    "8c362a7f7635398e2eb1a6bca0754550cf6023e9054f39abf15396b6809df3ce",
    "0c24757060a498fc4d52b237c987ed8a5b1023bf0576d367a654dc743dc658e2",
    "6b52f08ea230ae8c7cd633e7d3fa00b7078a25ad8493db281d3de628f8b37b9e",
    "54ef3f86a29024744009009ad0e6dfb6bda508b7fe539a244f8fb3acf722ff7b",
    "caa53ad2624c3cc94df36f68f65d8c9ffff5ab1f0b6776711240f39aaa36a699",
}


def test_no_real_person_from_the_protocols_is_in_the_repository():
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, text=True,
    ).stdout.split()
    found = []
    for name in listed:
        path = ROOT / name
        if not path.is_file() or path.suffix not in {".py", ".yml", ".yaml", ".md", ".txt", ".sh", ".html", ".json", ""}:
            continue
        text = path.read_text(encoding="utf-8", errors="ignore").lower()
        words = set(re.findall(r"[a-zà-ÿ]+", text)) | {
            re.sub(r"\D", "", m) for m in re.findall(r"0\d[\d -]{8,12}", text)
        }
        found += [name for w in words if hashlib.sha256(w.encode()).hexdigest() in REAL_PEOPLE]
    assert not found, found
