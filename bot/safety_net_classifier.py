"""The safety net's trained half: a recall-first classifier, judged sentence by sentence.

The lexicon rules (bot/safety_net_signals.yml) are the floor: what they catch is always
caught. This classifier lifts it for the wording no lexicon lists: a child's note full of
spelling errors, Flemish, a worry that never says "zorgen", one sentence about home in a long
message about the school trip. It is trained during `rasa train` (the SafetyNet component,
bot/safety_net.py) on the NLU training data: `acute_danger` examples are danger, those and
`report_worry` together are "about a child's safety" (concern), everything else is neither.

Two linear models (scikit-learn logistic regression on word 1-2-grams and character 2-5-grams
within words) give P(danger) and P(concern) for a text. A message is judged as its parts:
the whole text and each sentence (and line) on its own, and the highest score counts, so a
single sentence among ten is enough. They learn sentences too (`fit_parts`): in a long
danger message only the sentence that carries the danger is danger.

The thresholds are chosen for recall, not accuracy: out-of-fold scores on the training data
(5 folds, each message scored as its parts, as above) and the lowest threshold that still
keeps the false-alarm rate on the other messages under `MAX_FALSE_ALARM`, but never higher than
the one that keeps `TARGET_RECALL` of the danger (or concern) messages. The figures are kept
with the model (`report`) so `make eval` and the logs can show them.

No Rasa imports: tested on its own (tests/test_safety_net_classifier.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion, make_pipeline

DANGER = "danger"
CONCERN = "concern"
# Above this score the classifier's danger stands whatever the intent model said; between
# "danger" and it, a message the intent model is sure is something else gets the question
# "Gaat dit over de veiligheid van een kind?" instead of the guidance (bot/safety_net.py).
DANGER_SURE = "danger_sure"
TARGET_RECALL = {DANGER: 0.97, CONCERN: 0.95}
MAX_FALSE_ALARM = {DANGER: 0.03, CONCERN: 0.08, DANGER_SURE: 0.05}
FOLDS = 5
# Sentences shorter than this many characters are judged only as part of the whole.
MIN_PART = 12
MAX_PARTS = 40  # a very long message: its first parts and the whole are judged
_SPLIT = re.compile(r"(?<=[.!?…])\s+|\n+|\s+[-–•]\s+")


def parts(text: str) -> List[str]:
    """The whole text and each sentence or line of it (long enough to judge)."""
    whole = " ".join((text or "").split())
    pieces = [" ".join(p.split()) for p in _SPLIT.split(text or "")]
    pieces = [p for p in pieces if len(p) >= MIN_PART and p != whole]
    return [whole] + pieces[:MAX_PARTS]


def _pipeline(seed: int):
    features = FeatureUnion([
        ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=1,
                                  sublinear_tf=True, token_pattern=r"(?u)\b\w[\w']*\b")),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2,
                                  sublinear_tf=True, max_features=60000)),
    ])
    model = LogisticRegression(C=8.0, class_weight="balanced", max_iter=3000, solver="liblinear",
                               random_state=seed)
    return make_pipeline(features, model)


@dataclass
class Judgement:
    danger: float
    concern: float
    danger_part: int  # index in parts(): 0 = the whole message


@dataclass
class ConcernClassifier:
    models: Dict[str, object]
    thresholds: Dict[str, float]
    report: Dict[str, Dict[str, float]] = field(default_factory=dict)

    # -- training ----------------------------------------------------------------------
    @classmethod
    def fit(cls, texts: Sequence[str], labels: Sequence[str], floor: Optional[Sequence[bool]] = None,
            seed: int = 42) -> "ConcernClassifier":
        """`labels`: "danger", "worry" or anything else (neither), one per text. `floor`: which
        texts the lexicon rules already catch (the classifier lifts recall above them)."""
        texts = [str(t) for t in texts]
        caught = np.array(floor if floor is not None else [False] * len(texts), dtype=bool)
        targets = {
            DANGER: np.array([label == "danger" for label in labels]),
            CONCERN: np.array([label in ("danger", "worry") for label in labels]),
        }
        other = np.array([label not in ("danger", "worry") for label in labels])
        models, thresholds, report = {}, {}, {}
        for name, y in targets.items():
            scores = _out_of_fold(texts, y, seed)
            # The rules' catches count as caught for recall (they are the floor); only the
            # classifier's own alarms count as false alarms.
            thresholds[name], report[name] = choose_threshold(
                np.where(caught & (name == DANGER), 1.0, scores), y, name)
            if name == DANGER:
                thresholds[DANGER_SURE], report[DANGER_SURE] = sure_threshold(scores[other & ~caught])
                thresholds[DANGER_SURE] = max(thresholds[DANGER_SURE], thresholds[DANGER])
            models[name] = fit_parts(texts, y, seed)
        return cls(models, thresholds, report)

    # -- use ---------------------------------------------------------------------------
    def scores(self, name: str, texts: Sequence[str]) -> np.ndarray:
        return self.models[name].predict_proba(list(texts))[:, 1]  # type: ignore[attr-defined]

    def judge(self, text: str) -> Judgement:
        units = parts(text)
        danger = self.scores(DANGER, units)
        concern = self.scores(CONCERN, units)
        best = int(np.argmax(danger))
        return Judgement(float(danger[best]), float(concern.max()), best)

    def is_danger(self, judgement: Judgement) -> bool:
        return judgement.danger >= self.thresholds[DANGER]

    def is_sure_danger(self, judgement: Judgement) -> bool:
        return judgement.danger >= self.thresholds.get(DANGER_SURE, self.thresholds[DANGER])

    def is_concern(self, judgement: Judgement) -> bool:
        return judgement.concern >= self.thresholds[CONCERN] or self.is_danger(judgement)


def fit_parts(texts: Sequence[str], y: np.ndarray, seed: int):
    """A model that judges sentences, trained from labelled messages.

    A long danger message is mostly about something else (the school trip, the Christmas
    dinner): trained as a whole, the model would learn those words as danger. So, as in
    multiple-instance learning: a first model learns from the short messages (one part each)
    and every part of the long calm ones; in each long danger message it picks the part that
    carries the danger; the final model learns that part as danger and the message's other
    parts as calm."""
    short_x: List[str] = []
    short_y: List[bool] = []
    long_positive: List[List[str]] = []
    for text, label in zip(texts, y):
        units = parts(text)
        if len(units) == 1:
            short_x.append(units[0])
            short_y.append(bool(label))
        elif label:
            long_positive.append(units[1:])  # its sentences; the whole is not one instance
        else:
            short_x += units
            short_y += [False] * len(units)
    first = _pipeline(seed).fit(short_x, short_y)
    x, labels = list(short_x), list(short_y)
    for units in long_positive:
        scores = first.predict_proba(units)[:, 1]
        best = int(np.argmax(scores))
        for i, unit in enumerate(units):
            x.append(unit)
            labels.append(i == best)
    return _pipeline(seed).fit(x, labels)


def _message_scores(model, texts: Sequence[str]) -> np.ndarray:
    """Each message's score as the highest of its parts' (the way messages are judged)."""
    units: List[str] = []
    owner: List[int] = []
    for i, text in enumerate(texts):
        for unit in parts(text):
            units.append(unit)
            owner.append(i)
    unit_scores = model.predict_proba(units)[:, 1]
    out = np.zeros(len(texts))
    np.maximum.at(out, np.array(owner), unit_scores)
    return out


def _out_of_fold(texts: Sequence[str], y: np.ndarray, seed: int) -> np.ndarray:
    scores = np.zeros(len(texts))
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=seed)
    array = np.array(texts, dtype=object)
    for train, test in folds.split(array, y):
        model = fit_parts(list(array[train]), y[train], seed)
        scores[test] = _message_scores(model, list(array[test]))
    return scores


def sure_threshold(calm_scores: np.ndarray) -> Tuple[float, Dict[str, float]]:
    """The score above which at most MAX_FALSE_ALARM[DANGER_SURE] of the calm messages (neither
    danger nor worry, and not caught by the rules) fire: out-of-fold, like the others."""
    ordered = np.sort(calm_scores)
    allowed = int(np.floor(MAX_FALSE_ALARM[DANGER_SURE] * len(ordered)))
    threshold = float(ordered[len(ordered) - 1 - allowed]) + 1e-6 if len(ordered) > allowed else 0.5
    return threshold, {"threshold": round(threshold, 4),
                       "false_alarm": round(float((calm_scores >= threshold).mean()), 4) if len(ordered) else 0.0,
                       "negatives": int(len(ordered))}


def choose_threshold(scores: np.ndarray, y: np.ndarray, name: str) -> Tuple[float, Dict[str, float]]:
    """Recall first: the threshold that keeps TARGET_RECALL of the positives, lowered further
    while the false-alarm rate on the negatives stays under MAX_FALSE_ALARM."""
    positives = np.sort(scores[y])
    negatives = np.sort(scores[~y])
    # Highest threshold with recall >= target.
    keep = int(np.floor((1 - TARGET_RECALL[name]) * len(positives)))
    threshold = float(positives[keep]) if len(positives) else 0.5
    # The lowest threshold the false-alarm budget allows; take it if it is lower (more recall).
    allowed = int(np.floor(MAX_FALSE_ALARM[name] * len(negatives)))
    if len(negatives) > allowed:
        budget = float(negatives[len(negatives) - 1 - allowed]) + 1e-6
        threshold = min(threshold, max(budget, 0.05))
    report = {
        "threshold": round(threshold, 4),
        "recall": round(float((scores[y] >= threshold).mean()), 4) if len(positives) else 0.0,
        "false_alarm": round(float((scores[~y] >= threshold).mean()), 4) if len(negatives) else 0.0,
        "positives": int(y.sum()),
        "negatives": int((~y).sum()),
    }
    return threshold, report
