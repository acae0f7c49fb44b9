"""The guided meldcode route (steps 1-5) as pure functions. No Rasa imports.

`walk(answers, entry)` says where a staff member is in the route: which question to ask,
or that the route waits (first do something, then 'verder'), stopped (the protocol sends you
elsewhere) or reached a decision. Step 4 is the afwegingskader (`meldcode_logic.decide`).
The words are in data/meldcode/route.yml and afwegingskader.yml; this module only decides
which of them apply. Sources per rule are in route.yml, next to each text key.

"twijfel" and "weet ik niet" are never read as "nee": each closed question below maps them
to the cautious branch (advice from Veilig Thuis, consult first, or stop), never to the one
that closes or skips something.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Tuple

import yaml

from .meldcode_logic import Answer, Decision, Outcome, decide, parse_answer

ROUTE_FILE = Path(__file__).resolve().parent.parent / "data" / "meldcode" / "route.yml"


class Effect(str, Enum):
    GO = "go"  # next question
    NOTE = "note"  # say something, then the next question
    WAIT = "wait"  # do this first, then come back with 'verder'
    STOP = "stop"  # the route ends here: the protocol sends you elsewhere
    SKIP = "skip"  # skip the parent conversation, go to the weighing (step 4)


@dataclass(frozen=True)
class Rule:
    effect: Effect
    key: Optional[str] = None  # text key in route.yml (notes / waits / stops)


J, N, T, W = Answer.JA, Answer.NEE, Answer.TWIJFEL, Answer.WEET_NIET


def _rules(ja: Rule, nee: Rule, doubt: Rule) -> Dict[Answer, Rule]:
    return {J: ja, N: nee, T: doubt, W: doubt}


GO = Rule(Effect.GO)

# Steps 1-3: the questions in order, with what each closed answer leads to.
STEP_QUESTIONS: Tuple[Tuple[int, str], ...] = (
    (1, "s1_acuut"), (1, "s1_medewerker"), (1, "s1_signalen"), (1, "s1_context"),
    (1, "s1_vermoeden"), (1, "s1_derden"), (1, "s1_kindcheck"),
    (2, "s2_ib"), (2, "s2_advies"), (2, "s2_toestemming"),
    (3, "s3_eer_vgv"), (3, "s3_veilig"), (3, "s3_vertrek"), (3, "s3_gevoerd"),
)
CLOSED_RULES: Dict[str, Dict[Answer, Rule]] = {
    # protocol 003 stap 1: acute danger and the special forms go straight to IB/directie and VT.
    "s1_acuut": _rules(Rule(Effect.STOP, "acuut"), GO, Rule(Effect.NOTE, "acuut_twijfel")),
    # protocol 003 stap 1: a staff member as suspect -> directie, this route does not apply.
    "s1_medewerker": _rules(Rule(Effect.STOP, "medewerker"), GO, Rule(Effect.WAIT, "medewerker_twijfel")),
    # protocol 001/004: the kindcheck where a parent's situation may threaten the child.
    "s1_kindcheck": _rules(Rule(Effect.NOTE, "kindcheck"), GO, Rule(Effect.NOTE, "kindcheck")),
    # protocol 003 stap 2: always discuss with the IB.
    "s2_ib": _rules(GO, Rule(Effect.WAIT, "ib"), Rule(Effect.WAIT, "ib")),
    # protocol 003 stap 2: doubt about cause or safety -> the IB asks VT for advice.
    "s2_advies": _rules(Rule(Effect.NOTE, "advies_vt"), Rule(Effect.NOTE, "advies_altijd"),
                        Rule(Effect.NOTE, "advies_vt")),
    # protocol 003 stap 2: written consent for an open discussion; refusal is a signal.
    "s2_toestemming": _rules(Rule(Effect.NOTE, "toestemming_ja"), Rule(Effect.NOTE, "toestemming_nee"),
                             Rule(Effect.NOTE, "toestemming_onbekend")),
    # protocol 003 stap 3: honour-related violence or FGM -> VT urgently, no parent conversation.
    "s3_eer_vgv": _rules(Rule(Effect.STOP, "eer_vgv"), GO, Rule(Effect.STOP, "eer_vgv")),
    # protocol 003 stap 3: the only two reasons to skip the conversation.
    "s3_veilig": _rules(GO, Rule(Effect.SKIP, "overslaan_veiligheid"), Rule(Effect.WAIT, "veilig_twijfel")),
    # No reason to skip: prepare the conversation (who holds it, and how; 003 stap 3, 004).
    "s3_vertrek": _rules(Rule(Effect.SKIP, "overslaan_vertrek"), Rule(Effect.NOTE, "gesprek_voorbereiden"),
                         Rule(Effect.WAIT, "vertrek_twijfel")),
    "s3_gevoerd": _rules(GO, Rule(Effect.WAIT, "gesprek"), Rule(Effect.WAIT, "gesprek")),
}
TEXT_QUESTIONS = {key for _, key in STEP_QUESTIONS if key not in CLOSED_RULES}
OPTIONAL_TEXT = {"s1_vermoeden", "s1_derden"}  # 'nee' is a full answer here
AFWEGING = tuple(f"afweging_{q}" for q in range(1, 6))
STEP_OF: Dict[str, int] = {**{key: step for step, key in STEP_QUESTIONS}, **{k: 4 for k in AFWEGING}}
ENTRY_STEPS = (1, 4)  # a worry starts at step 1; "afwegingskader doorlopen" at step 4


class Status(str, Enum):
    NOT_STARTED = "not_started"
    ASK = "ask"
    WAIT = "wait"
    STOPPED = "stopped"
    DECIDED = "decided"


@dataclass(frozen=True)
class RouteState:
    status: Status
    question: Optional[str] = None  # to ask now (ASK), or the one that waits/stopped
    text_key: Optional[str] = None  # waits/stops key in route.yml
    outcome: Optional[Outcome] = None  # the afwegingskader, once step 4 is reached
    path: Tuple[Tuple[str, str], ...] = ()  # answers read, in order
    skipped_conversation: Optional[str] = None  # why the parent conversation was skipped
    consent_refused: bool = False

    @property
    def step(self) -> Optional[int]:
        if self.status is Status.DECIDED:
            return 5
        return STEP_OF.get(self.question or "")


def is_closed(key: str) -> bool:
    return key in CLOSED_RULES or key in AFWEGING


def walk(answers: Mapping[str, object], entry: Optional[int]) -> RouteState:
    """Where the route stands for these answers (question key -> answer)."""
    if entry not in ENTRY_STEPS:
        return RouteState(Status.NOT_STARTED)
    path: List[Tuple[str, str]] = []
    skipped: Optional[str] = None
    refused = False

    def state(status: Status, question: Optional[str] = None, **kw) -> RouteState:
        return RouteState(status, question, path=tuple(path), skipped_conversation=skipped,
                          consent_refused=refused, **kw)

    for step, key in STEP_QUESTIONS:
        if step < entry:
            continue
        raw = answers.get(key)
        if key in TEXT_QUESTIONS:
            if raw is None or not str(raw).strip():
                return state(Status.ASK, key)
            path.append((key, str(raw)))
            continue
        answer = parse_answer(raw)
        if answer is None:
            return state(Status.ASK, key)
        path.append((key, answer.value))
        refused = refused or (key == "s2_toestemming" and answer is N)
        rule = CLOSED_RULES[key][answer]
        if rule.effect is Effect.STOP:
            return state(Status.STOPPED, key, text_key=rule.key)
        if rule.effect is Effect.WAIT:
            return state(Status.WAIT, key, text_key=rule.key)
        if rule.effect is Effect.SKIP:
            skipped = rule.key
            break

    outcome = decide({q: answers.get(f"afweging_{q}") for q in range(1, 6)})
    path.extend((f"afweging_{q}", a) for q, a in outcome.path)
    if outcome.decision is Decision.ASK:
        return state(Status.ASK, f"afweging_{outcome.next_question}", outcome=outcome)
    if outcome.decision is Decision.ORGANISE_HELP:  # afweging 5 follows after the agreed term
        return state(Status.ASK, "afweging_5", outcome=outcome)
    return state(Status.DECIDED, outcome=outcome)


@dataclass(frozen=True)
class Say:
    """Something to tell the user: `kind` is the section of the texts, `key` the item."""

    kind: str  # "note", "intro", "afweging_outcome", "after", "response", "explain"
    key: object


def said_after_answer(before: RouteState, after: RouteState, key: str, value: str) -> List[Say]:
    """What to tell the user after `key` was answered with `value` (before -> after)."""
    out: List[Say] = []
    if key in CLOSED_RULES:
        rule = CLOSED_RULES[key][parse_answer(value)]  # type: ignore[index]
        if rule.effect in (Effect.NOTE, Effect.SKIP):
            out.append(Say("note", rule.key))
    elif key in TEXT_QUESTIONS and key == "s1_signalen" and looks_like_hypothesis(value):
        out.append(Say("note", "hypothese"))
    if key == "afweging_1" and after.outcome and after.outcome.advice_first and not (
        before.outcome and before.outcome.advice_first
    ):
        out.append(Say("afweging_outcome", "advice_first"))
    if key == "afweging_2" and parse_answer(value) in (T, W):
        out.append(Say("explain", 2))  # hesitation at 2: what acute/structural unsafety means
    if key == "afweging_4" and after.outcome and after.outcome.decision is Decision.ORGANISE_HELP:
        out += [Say("afweging_outcome", "organise_help"), Say("after", "organise_help"),
                Say("response", "utter_afweging_5_later")]
    if after.status is Status.ASK:
        old_step, new_step = STEP_OF[key], STEP_OF[after.question]  # type: ignore[index]
        if new_step != old_step:
            if old_step == 1:
                out.append(Say("note", "stap1_klaar"))
            out += intro_for(new_step, after)
    return out


def intro_for(step: int, state: RouteState) -> List[Say]:
    out = [Say("intro", step)]
    if step == 4 and state.consent_refused:
        out.append(Say("note", "weigering_signaal"))
    return out


# Phrases that mark an assumption rather than an observation (protocol 003, stap 1:
# hypotheses are recorded as such).
_HYPOTHESIS = re.compile(
    r"\b(ik denk|ik vermoed|vermoedelijk|volgens mij|waarschijnlijk|misschien|ik gok|"
    r"het lijkt( erop)?|lijkt me|ik heb het idee|ik neem aan|zal wel|vast en zeker|"
    r"ongetwijfeld|ik ben bang dat|ik verwacht)\b",
    re.IGNORECASE,
)


def looks_like_hypothesis(text: str) -> bool:
    return bool(_HYPOTHESIS.search(text or ""))


def answer_from_intent(intent: Optional[str]) -> Optional[Answer]:
    return {"affirm": J, "deny": N, "doubt": T, "dont_know": W}.get(intent or "")


# ---------------------------------------------------------------------------------------
# Changing an earlier answer: "bij vraag 2 bedoelde ik ja", "vorige vraag moet twijfel zijn".
# ---------------------------------------------------------------------------------------
_NUMBER_WORDS = {
    "een": 1, "één": 1, "eerste": 1, "twee": 2, "tweede": 2, "drie": 3, "derde": 3,
    "vier": 4, "vierde": 4, "vijf": 5, "vijfde": 5,
}
_QUESTION_REF = re.compile(
    r"\b(?:vraag|afweging|afwegingsvraag|nummer|nr\.?)\s*(?P<n>[1-5]|een|één|twee|drie|vier|vijf)\b"
    r"|\b(?P<ord>eerste|tweede|derde|vierde|vijfde)\s+(?:vraag|afweging)"
    r"|\b(?P<digit>[1-5])\b",
    re.IGNORECASE,
)
_ANSWER_WORDS = re.compile(
    r"\b(?P<weet_niet>weet(?: \w+){0,3} niet|geen idee|onbekend)\b"
    r"|\b(?P<twijfel>twij?f\w*)\b|\b(?P<ja>ja+|jawel|jazeker)\b|\b(?P<nee>nee+|neen)\b",
    re.IGNORECASE,
)
# Words that say the answer named is the old one ("per ongeluk nee gedrukt").
_OLD_MARKER = re.compile(r"per ongeluk|verkeerd|gedrukt|geklikt|gekozen|ingevuld|zei ik|had ik|heb ik",
                         re.IGNORECASE)
_NEW_MARKER = re.compile(r"bedoel|moet|moest|wordt|toch|eigenlijk|veranderen|wijzig|aanpass|maak|zou|\bis\b",
                         re.IGNORECASE)


@dataclass(frozen=True)
class ChangeRequest:
    question: Optional[int]  # afweging number 1-5; None = the previous question
    answer: Optional[Answer]  # None = ask the question again


def parse_change_request(text: str) -> ChangeRequest:
    question = None
    match = _QUESTION_REF.search(text or "")
    if match:
        raw = (match.group("n") or match.group("ord") or match.group("digit")).lower()
        question = int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]
    found = [m.lastgroup for m in _ANSWER_WORDS.finditer(text or "")]
    answer: Optional[Answer] = None
    if len(found) >= 2:
        answer = Answer(found[-1])  # "ik zei nee maar bedoelde ja": the last one is new
    elif len(found) == 1 and not (_OLD_MARKER.search(text) and not _NEW_MARKER.search(text)):
        answer = Answer(found[0])
    return ChangeRequest(question, answer)


@dataclass(frozen=True)
class ChangeResult:
    answers: Dict[str, object]
    key: Optional[str]  # the question changed; None if it could not be changed
    problem: Optional[str] = None  # "not_answered", "nothing_to_change"


def apply_change(answers: Mapping[str, object], entry: Optional[int],
                 request: ChangeRequest) -> ChangeResult:
    """New answers after a change: the earlier answer is replaced, or cleared to ask again.

    Later answers stay: `walk` recomputes the route, so an answer that is no longer on the
    path is simply not read (and comes back if the change is undone).
    """
    current = walk(answers, entry)
    answered = [key for key, _ in current.path]
    if not answered:
        return ChangeResult(dict(answers), None, "nothing_to_change")
    key = answered[-1] if request.question is None else f"afweging_{request.question}"
    if key not in answered:
        return ChangeResult(dict(answers), key, "not_answered")
    changed = dict(answers)
    if request.answer is not None and is_closed(key):
        changed[key] = request.answer.value
    else:
        changed.pop(key, None)
    return ChangeResult(changed, key)


# ---------------------------------------------------------------------------------------
# The words (data/meldcode/route.yml), read once per version of the file.
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RouteTexts:
    step_titles: Dict[str, Dict[int, str]]
    step_intros: Dict[int, Dict[str, str]]
    questions: Dict[str, Dict[str, object]]
    notes: Dict[str, Dict[str, str]]
    stops: Dict[str, Dict[str, str]]
    waits: Dict[str, Dict[str, str]]
    after_decision: Dict[str, Dict[str, str]]
    follow_up_buttons: List[Dict[str, str]] = field(default_factory=list)
    next_steps: Dict[str, Dict[str, str]] = field(default_factory=dict)


def load_route_texts(path: Path = ROUTE_FILE) -> RouteTexts:
    return _load_route_texts(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=4)
def _load_route_texts(path: Path, _mtime_ns: int) -> RouteTexts:
    with open(path, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    return RouteTexts(
        step_titles={plan: {int(k): v for k, v in titles.items()}
                     for plan, titles in raw["step_titles"].items()},
        step_intros={int(k): v for k, v in raw["step_intros"].items()},
        questions=raw["questions"], notes=raw["notes"], stops=raw["stops"], waits=raw["waits"],
        after_decision=raw["after_decision"], follow_up_buttons=raw["follow_up_buttons"],
        next_steps=raw["next_steps"],
    )
