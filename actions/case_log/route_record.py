"""What the case log records for one step of the guided route. Pure functions, no Rasa.

`writes_for_answer(before, after, key, value, now)` turns one answer (and what the protocol
said after it) into the writes `CaseStore.apply` takes: the answer itself, outcomes, where
the route stands, whether the parents were spoken to (and if not, why), decisions with the
answers that led to them, and follow-ups with due dates.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Dict, List, Optional

import holidays as public_holidays

from ..meldcode_logic import Decision, outcome_key, parse_answer
from ..meldcode_route import (
    CLOSED_RULES,
    STEP_OF,
    TEXT_QUESTIONS,
    Effect,
    RouteState,
    Status,
    looks_like_hypothesis,
)

Write = Dict[str, Any]

# Free-text questions and the kind of note their answer is (protocol 003, stap 1).
TEXT_KINDS = {"s1_signalen": "fact", "s1_context": "fact", "s1_vermoeden": "hypothesis",
              "s1_derden": "third_party"}
# Why the conversation with the parents did not take place (protocol 003, stap 3).
PARENTS_NOT_DISCUSSED = {
    "overslaan_veiligheid": "De veiligheid van het kind, een medewerker of een ander kan in gevaar komen (protocol 003, stap 3).",
    "overslaan_vertrek": "Goede redenen om aan te nemen dat het gezin het contact verbreekt en de school verlaat (protocol 003, stap 3).",
    "eer_vgv": "Vermoeden van eergerelateerd geweld of meisjesbesnijdenis; met spoed contact met Veilig Thuis (protocol 003, stap 3).",
}
CHECK_HELP_DAYS = 7  # "check within 1-2 weeks whether the family sought help": at one week
VT_WORKING_DAYS = 5  # Veilig Thuis decides within 5 working days


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """`days` working days after `start` (Monday-Friday, not on Dutch public holidays)."""
    current = start
    added = 0
    while added < days:
        current += dt.timedelta(days=1)
        day = current.date()
        if day.weekday() < 5 and day not in public_holidays.country_holidays("NL", years=day.year):
            added += 1
    return current


_NUMBERS = {"een": 1, "één": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7,
            "acht": 8, "negen": 9, "tien": 10, "elf": 11, "twaalf": 12}
_TERM = re.compile(r"\b(?P<n>\d{1,3}|" + "|".join(_NUMBERS) + r")\s*(?P<unit>dagen|dag|weken|week|wk|maanden|maand|mnd)\b",
                   re.IGNORECASE)
_UNIT_DAYS = {"dag": 1, "dagen": 1, "week": 7, "weken": 7, "wk": 7, "maand": 30, "maanden": 30, "mnd": 30}


def parse_term(text: str) -> Optional[dt.timedelta]:
    """The term agreed at afweging 4 ("termijn van 6 weken", "over twee maanden"), or None.
    Between one day and a year."""
    match = _TERM.search(text or "")
    if not match:
        return None
    raw = match.group("n").lower()
    number = int(raw) if raw.isdigit() else _NUMBERS[raw]
    days = number * _UNIT_DAYS[match.group("unit").lower()]
    return dt.timedelta(days=days) if 1 <= days <= 366 else None


def term_writes(term: dt.timedelta, now: dt.datetime) -> List[Write]:
    """The agreed term as a follow-up: at its end, afweging 5."""
    at = now.isoformat()
    return [{"op": "entry", "at": at, "step": 4, "kind": "follow_up", "question": "afweging_5",
             "text": f"Termijn afgesproken: {term.days} dagen; daarna afweging 5."},
            {"op": "follow_up", "at": at, "kind": "help_term", "due_at": (now + term).isoformat()}]


def position_of(state: RouteState) -> Optional[str]:
    if state.status is Status.ASK:
        return state.question
    if state.status in (Status.WAIT, Status.STOPPED):
        return f"{state.status.value}:{state.text_key}"
    if state.status is Status.DECIDED and state.outcome:
        return f"decided:{state.outcome.decision.value}"
    return None


def _decision(state: RouteState) -> Optional[Decision]:
    if state.outcome is None or state.outcome.decision is Decision.ASK:
        return None
    return state.outcome.decision


def _signature(state: RouteState) -> Optional[tuple]:
    """A decision and the answers that led to it: a new one is recorded, the same one not."""
    if _decision(state) is None:
        return None
    return outcome_key(state.outcome), state.outcome.path


def writes_for_answer(before: RouteState, after: RouteState, key: str, value: str,
                      now: dt.datetime, changed: bool = False) -> List[Write]:
    at = now.isoformat()
    out: List[Write] = []
    step = STEP_OF.get(key)
    if key in TEXT_QUESTIONS:
        text = str(value)
        if key in ("s1_vermoeden", "s1_derden") and text == "nee":
            out.append({"op": "entry", "at": at, "step": step, "question": key, "answer": "nee"})
        else:
            kind = TEXT_KINDS[key]
            if kind == "fact" and key == "s1_signalen" and looks_like_hypothesis(text):
                kind = "hypothesis"
            out.append({"op": "entry", "at": at, "step": step, "question": key, "kind": kind, "text": text})
    else:
        answer = parse_answer(value)
        entry: Write = {"op": "entry", "at": at, "step": step, "question": key,
                        "answer": answer.value if answer else None}
        if changed:
            entry["outcome"] = "answer_changed"
        rule = CLOSED_RULES.get(key, {}).get(answer) if answer else None
        if rule is not None and rule.effect in (Effect.NOTE, Effect.SKIP):
            entry["outcome"] = f"note:{rule.key}"
        out.append(entry)
        if rule is not None and rule.effect is Effect.SKIP:
            out.append({"op": "parents", "at": at, "discussed": "nee",
                        "reason": PARENTS_NOT_DISCUSSED[rule.key]})
        if key == "s3_eer_vgv" and after.status is Status.STOPPED:
            out.append({"op": "parents", "at": at, "discussed": "nee",
                        "reason": PARENTS_NOT_DISCUSSED["eer_vgv"]})
        if key == "s3_gevoerd" and answer is not None:
            out.append({"op": "parents", "at": at,
                        "discussed": "ja" if answer.value == "ja" else "onbekend", "reason": None})
    if after.status in (Status.WAIT, Status.STOPPED):
        out.append({"op": "entry", "at": at, "step": step, "question": key,
                    "outcome": f"{after.status.value}:{after.text_key}"})
    if _decision(after) is not None and _signature(after) != _signature(before):
        out += decision_writes(after, now)
    out.append({"op": "position", "at": at, "position": position_of(after)})
    return out


def decision_writes(state: RouteState, now: dt.datetime) -> List[Write]:
    """A decision of the afwegingskader, its answers, and the follow-ups it brings."""
    outcome = state.outcome
    assert outcome is not None
    at = now.isoformat()
    answers = {f"afweging_{q}": a for q, a in outcome.path}
    out: List[Write] = [
        {"op": "decision", "at": at, "decision": outcome_key(outcome) or outcome.decision.value,
         "decided_at": outcome.decided_at, "with_vt": outcome.with_vt, "answers": answers},
        {"op": "entry", "at": at, "step": 4, "kind": "decision",
         "outcome": f"decision:{outcome_key(outcome)}"},
    ]
    if outcome.decision is Decision.MELDEN:
        out.append({"op": "follow_up", "at": at, "kind": "vt_response",
                    "due_at": add_working_days(now, VT_WORKING_DAYS).isoformat()})
    elif outcome.decision is Decision.ORGANISE_HELP:
        out.append({"op": "follow_up", "at": at, "kind": "check_help",
                    "due_at": (now + dt.timedelta(days=CHECK_HELP_DAYS)).isoformat()})
    return out

