"""The afwegingskader (weighing questions 1-5) as one pure function. No Rasa imports.

Source: protocol 003 (afweging 1-5, "Stap 4/5") and protocol 002 (stap 5 as afwegingen
2-5). The forms only collect answers and show the outcome this function returns.

"twijfel" and "weet ik niet" are never read as "nee": at question 2 they mean melden
(protocol 002: "JA of twijfel -> direct (telefonisch) (anoniem) melding doen"); at questions
3-5 they mean talking to Veilig Thuis about a melding (protocol 002: "Overleg met Veilig
Thuis over de melding, ook bij twijfel"); at question 1 the route continues with advice
from Veilig Thuis (protocol 003, stap 4: "Vraag bij twijfel advies aan Veilig Thuis").
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Dict, Mapping, Optional, Tuple

import yaml


class Answer(str, Enum):
    JA = "ja"
    NEE = "nee"
    TWIJFEL = "twijfel"
    WEET_NIET = "weet_niet"

    @property
    def uncertain(self) -> bool:
        return self in (Answer.TWIJFEL, Answer.WEET_NIET)


class Decision(str, Enum):
    ASK = "ask"  # the next question still needs an answer
    CLOSE_NO_SUSPICION = "close_no_suspicion"  # afweging 1 nee
    MELDEN = "melden"  # melden bij Veilig Thuis
    CONSULT_VT = "consult_vt"  # doubt at 3-5: overleg met Veilig Thuis over een melding
    ORGANISE_HELP = "organise_help"  # afweging 4 ja: help, termijn, casushouder; later 5
    CLOSE_HELP_MONITOR = "close_help_monitor"  # afweging 5 ja


@dataclass(frozen=True)
class Outcome:
    decision: Decision
    next_question: Optional[int]  # the question to ask now (or later, for ORGANISE_HELP)
    decided_at: Optional[int]  # the question whose answer led to the decision
    advice_first: bool = False  # question 1 was answered with doubt: ask VT for advice
    with_vt: bool = False  # questions 3-5 are walked together with Veilig Thuis
    path: Tuple[Tuple[int, str], ...] = ()  # the answers that led here, in order


QUESTIONS = (1, 2, 3, 4, 5)


def parse_answer(value: object) -> Optional[Answer]:
    if value is None or isinstance(value, Answer):
        return value
    text = str(value).strip().lower().replace(" ", "_")
    aliases = {"weet_ik_niet": Answer.WEET_NIET, "weetniet": Answer.WEET_NIET}
    try:
        return aliases.get(text) or Answer(text)
    except ValueError:
        return None


def decide(answers: Mapping[int, object]) -> Outcome:
    """The outcome of the afwegingskader for the answers given so far (keys 1-5)."""
    parsed = {q: parse_answer(answers.get(q)) for q in QUESTIONS}
    path = []

    def at(q: int, decision: Decision, next_question: Optional[int] = None, **kw) -> Outcome:
        return Outcome(decision, next_question, q, path=tuple(path), **kw)

    def ask(q: int, **kw) -> Outcome:
        return Outcome(Decision.ASK, q, None, path=tuple(path), **kw)

    a1 = parsed[1]
    if a1 is None:
        return ask(1)
    path.append((1, a1.value))
    if a1 is Answer.NEE:
        return at(1, Decision.CLOSE_NO_SUSPICION)
    advice_first = a1.uncertain

    a2 = parsed[2]
    if a2 is None:
        return ask(2, advice_first=advice_first)
    path.append((2, a2.value))
    if a2 is not Answer.NEE:  # ja, twijfel, weet niet
        return at(2, Decision.MELDEN, advice_first=advice_first, with_vt=True)

    for q in (3, 4, 5):
        answer = parsed[q]
        if answer is None:
            if q == 5:
                return at(4, Decision.ORGANISE_HELP, 5, advice_first=advice_first)
            return ask(q, advice_first=advice_first)
        path.append((q, answer.value))
        if answer is Answer.NEE:
            return at(q, Decision.MELDEN, advice_first=advice_first)
        if answer.uncertain:
            return at(q, Decision.CONSULT_VT, advice_first=advice_first)
    return at(5, Decision.CLOSE_HELP_MONITOR, advice_first=advice_first)


# ---------------------------------------------------------------------------------------
# The protocol texts that go with the decisions (data/meldcode/afwegingskader.yml).
# ---------------------------------------------------------------------------------------
AFWEGINGSKADER_FILE = Path(__file__).resolve().parent.parent / "data" / "meldcode" / "afwegingskader.yml"


@dataclass(frozen=True)
class ProtocolText:
    text: str
    source: str
    why: str = ""


@lru_cache(maxsize=1)
def load_afwegingskader(path: Path = AFWEGINGSKADER_FILE) -> Dict[str, Dict]:
    """Question and outcome texts; read once per action-server process."""
    with open(path, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    questions = {int(q): ProtocolText(**item) for q, item in raw["questions"].items()}
    outcomes = {key: ProtocolText(**item) for key, item in raw["outcomes"].items()}
    explanations = {int(q): ProtocolText(**item) for q, item in raw["explanations"].items()}
    return {"questions": questions, "outcomes": outcomes, "explanations": explanations}


def outcome_key(outcome: Outcome) -> Optional[str]:
    """The key of the protocol text for an outcome (None while a question is pending)."""
    if outcome.decision is Decision.ASK:
        return None
    if outcome.decision is Decision.MELDEN:
        return f"melden_{outcome.decided_at}"
    return outcome.decision.value
