"""Intent quality on the held-out NLU set (tests/nlu/*.yml), with the real trained model."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from conftest import RESULTS, load_examples

HELD_OUT = sorted((Path(__file__).parent / "nlu").glob("*.yml"))
MIN_MACRO_F1 = 0.85
MIN_FAQ_KEY_ACCURACY = 0.75


def _cases():
    cases = []
    for path in HELD_OUT:
        for intent, texts in load_examples(path).items():
            cases += [(text, intent) for text in texts]
    return cases


def macro_f1(pairs):
    labels = {t for t, _ in pairs} | {p for _, p in pairs}
    tp, fp, fn = Counter(), Counter(), Counter()
    for true, pred in pairs:
        if true == pred:
            tp[true] += 1
        else:
            fp[pred] += 1
            fn[true] += 1
    scores = {}
    for label in {t for t, _ in pairs}:  # average over the true labels
        p = tp[label] / (tp[label] + fp[label]) if tp[label] + fp[label] else 0.0
        r = tp[label] / (tp[label] + fn[label]) if tp[label] + fn[label] else 0.0
        scores[label] = 2 * p * r / (p + r) if p + r else 0.0
    return sum(scores.values()) / len(scores), scores


def as_answered(predicted: str, true_intent: str) -> str:
    """The safety net's own intents scored by what the user gets: `possible_danger` is the same
    guidance as `acute_danger`; `check_child_safety` ("Gaat dit over de veiligheid van een
    kind?", issue 14) is how a school matter or off-topic message that names a child or home is
    answered instead of a refusal, so for those it counts as placed (for any other intent it is a
    miss)."""
    if predicted == "possible_danger":
        return "acute_danger"
    if predicted == "check_child_safety" and true_intent in ("school_matter", "out_of_scope"):
        return true_intent
    return predicted


@pytest.fixture(scope="module")
def report(nlu):
    intent_pairs, faq_pairs, confusions = [], [], Counter()
    for text, label in _cases():
        parse = nlu(text)
        true_intent = label.split("/")[0]
        predicted = as_answered(parse["intent"]["name"], true_intent)
        intent_pairs.append((true_intent, predicted))
        if predicted != true_intent:
            confusions[(true_intent, predicted)] += 1
        if "/" in label:
            selected = parse.get("response_selector", {}).get("default", {})
            key = selected.get("response", {}).get("intent_response_key")
            faq_pairs.append((label, key if predicted == "faq" else predicted))
    f1, per_intent = macro_f1(intent_pairs)
    faq_accuracy = sum(t == p for t, p in faq_pairs) / len(faq_pairs)
    result = {
        "examples": len(intent_pairs),
        "intent_macro_f1": f1,
        "per_intent_f1": per_intent,
        "faq_key_accuracy": faq_accuracy,
        "faq_examples": len(faq_pairs),
        "top_confusions": [f"{t} -> {p}: {n}" for (t, p), n in confusions.most_common(12)],
        "faq_misses": [f"{t} -> {p}" for t, p in faq_pairs if t != p],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "nlu_heldout.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(f"\nheld-out: intent macro-F1 {f1:.3f} on {len(intent_pairs)} examples; "
          f"FAQ answer accuracy {faq_accuracy:.1%} on {len(faq_pairs)}")
    return result


def test_held_out_set_covers_every_intent():
    from conftest import ROOT

    trained = set()
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        trained |= {i.split("/")[0] for i in load_examples(path)}
    tested = {label.split("/")[0] for _, label in _cases()}
    assert trained <= tested, trained - tested


def test_intent_macro_f1(report):
    assert report["intent_macro_f1"] >= MIN_MACRO_F1, report["top_confusions"]


def test_faq_answer_accuracy(report):
    assert report["faq_key_accuracy"] >= MIN_FAQ_KEY_ACCURACY, report["faq_misses"]
