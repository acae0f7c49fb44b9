"""A case as a dossier note in plain text, ready to paste into the school's LVS.

The headings are what protocol 003 (stap 1) says the student file always records: datum,
plaats, situatie en overige aanwezigen; signalen; contacten over de signalen; stappen;
besluiten; vervolgaantekeningen. Hypotheses are marked as such, information from others
carries its source, and the child's own words are quoted verbatim. No Rasa imports.
"""
from __future__ import annotations

import datetime as dt
from typing import Dict, List, Optional
from zoneinfo import ZoneInfo

from ..meldcode_logic import load_afwegingskader
from ..meldcode_route import AFWEGING, STEP_OF, load_route_texts
from .store import CaseView, EntryView

TZ = ZoneInfo("Europe/Amsterdam")
ANSWER_WORDS = {"ja": "ja", "nee": "nee", "twijfel": "twijfel", "weet_niet": "weet ik niet"}
DECISIONS = {
    "close_no_suspicion": "Geen vermoeden (meer): afsluiten, conclusie vastleggen in het dossier",
    "consult_vt": "Overleggen met Veilig Thuis over een melding",
    "organise_help": "Hulp organiseren: termijn, casushouder en taken afspreken",
    "close_help_monitor": "Hulp afsluiten met afspraken over monitoring",
    "case_closed": "Casus afgesloten",
}
FOLLOW_UPS = {
    "vt_response": "Veilig Thuis beslist binnen 5 werkdagen; niets gehoord, dan bellen",
    "check_help": "Nagaan of het gezin hulp heeft gezocht (na 1-2 weken)",
    "help_term": "Einde afgesproken termijn: afweging 5",
}
PARENTS = {"ja": "gevoerd", "nee": "niet gevoerd", "onbekend": "nog niet gevoerd"}
KIND_LABELS = {"fact": "feit", "hypothesis": "VERMOEDEN (hypothese, geen feit)",
               "child_words": "letterlijk van het kind", "third_party": "informatie van derden",
               "contact": "contact", "decision": "besluit", "follow_up": "vervolg"}


def local(moment: Optional[dt.datetime], with_time: bool = True) -> str:
    if moment is None:
        return "-"
    return moment.astimezone(TZ).strftime("%d-%m-%Y %H:%M" if with_time else "%d-%m-%Y")


def decision_label(key: str) -> str:
    if key.startswith("melden_"):
        return f"Melden bij Veilig Thuis (afweging {key.split('_', 1)[1]})"
    return DECISIONS.get(key, key)


def question_label(key: Optional[str]) -> str:
    if not key:
        return ""
    if key in AFWEGING:
        number = int(key.rsplit("_", 1)[1])
        text = load_afwegingskader()["questions"][number].text
        return text if text.startswith("Afweging") else f"Afweging {number}. {text}"
    item = load_route_texts().questions.get(key)
    if not item:
        return key
    first = str(item["text"]).split("?")[0].strip()
    return first + "?" if "?" in str(item["text"]) else first


def _text_line(entry: EntryView) -> str:
    text = entry.text or ""
    if entry.kind == "child_words":
        text = f"\u201c{text}\u201d"
    line = f"- {local(entry.at)}: {text}"
    if entry.kind == "hypothesis":
        line = f"- {local(entry.at)} [VERMOEDEN, geen feit]: {text}"
    if entry.kind == "third_party":
        line += f" (bron: {entry.source})" if entry.source else " (bron: zie tekst)"
    return line


def dossier_note(case: CaseView, exported_at: dt.datetime, school_name: Optional[str] = None) -> str:
    by_kind: Dict[str, List[EntryView]] = {}
    for entry in case.entries:
        if entry.text is not None and entry.kind:
            by_kind.setdefault(entry.kind, []).append(entry)
    context = [e for e in case.entries if e.question == "s1_context" and e.text]
    signals = [e for e in by_kind.get("fact", []) if e.question != "s1_context"]
    lines = [
        f"DOSSIERNOTITIE MELDCODE - casus {case.code}",
        f"School: {school_name or case.school_id}",
        f"Geopend: {local(case.opened_at)}   Status: {'open' if case.status == 'open' else 'afgesloten ' + local(case.closed_at)}",
        f"Casushouder: {case.casushouder or '-'}",
        f"Geëxporteerd: {local(exported_at)}. Geen namen: gebruik de casuscode.",
        "",
        "Datum, plaats, situatie en overige aanwezigen:",
        *([_text_line(e) for e in context] or ["- (niet ingevuld)"]),
        "",
        "Signalen (gezien, gehoord, geroken):",
        *([_text_line(e) for e in signals] or ["- (niet ingevuld)"]),
    ]
    if by_kind.get("child_words"):
        lines += ["", "Wat het kind zelf zei (letterlijk):", *[_text_line(e) for e in by_kind["child_words"]]]
    if by_kind.get("hypothesis"):
        lines += ["", "Vermoedens (als vermoeden vastgelegd):", *[_text_line(e) for e in by_kind["hypothesis"]]]
    if by_kind.get("third_party"):
        lines += ["", "Informatie van derden (met bron):", *[_text_line(e) for e in by_kind["third_party"]]]
    contacts = [e for e in case.entries if e.question in ("s2_ib", "s2_advies", "s2_toestemming") and e.answer]
    lines += ["", "Contacten over deze signalen:",
              *[f"- {local(e.at)}: {question_label(e.question)} {ANSWER_WORDS.get(e.answer, e.answer)}"
                for e in contacts],
              *[_text_line(e) for e in by_kind.get("contact", [])]]
    if len(lines) and lines[-1] == "Contacten over deze signalen:":
        lines.append("- (nog geen)")
    parents = PARENTS.get(case.parents_discussed or "", "nog niet besproken")
    lines += ["", f"Gesprek met de ouders: {parents}."]
    if case.parents_reason:
        lines.append(f"Reden: {case.parents_reason}")
    lines += ["", "Stappen:"]
    for entry in case.entries:
        if entry.answer and entry.question:
            step = STEP_OF.get(entry.question)
            changed = " (antwoord gewijzigd)" if entry.outcome == "answer_changed" else ""
            lines.append(f"- {local(entry.at)} stap {step}: {question_label(entry.question)} "
                         f"{ANSWER_WORDS.get(entry.answer, entry.answer)}{changed}")
        elif entry.outcome and (entry.outcome.startswith("wait:") or entry.outcome.startswith("stopped:")):
            what = "wacht" if entry.outcome.startswith("wait:") else "route gestopt"
            lines.append(f"- {local(entry.at)}: {what} ({entry.outcome.split(':', 1)[1]})")
    lines += ["", "Besluiten:"]
    for decision in case.decisions:
        answers = ", ".join(f"{k.rsplit('_', 1)[1]}: {ANSWER_WORDS.get(v, v)}"
                            for k, v in sorted(decision.answers.items()))
        with_vt = " Vragen 3-5 samen met Veilig Thuis." if decision.with_vt else ""
        lines.append(f"- {local(decision.at)}: {decision_label(decision.decision)}. "
                     f"Antwoorden afweging {answers}.{with_vt}")
    if case.conclusion:
        lines.append(f"- {local(case.closed_at)}: Afgesloten. Conclusie: {case.conclusion}")
    if lines[-1] == "Besluiten:":
        lines.append("- (nog geen)")
    lines += ["", "Vervolgaantekeningen:"]
    for follow_up in case.follow_ups:
        state = f"herinnerd {local(follow_up.sent_at)}" if follow_up.sent_at else "open"
        lines.append(f"- uiterlijk {local(follow_up.due_at, with_time=False)}: "
                     f"{FOLLOW_UPS.get(follow_up.kind, follow_up.kind)} ({state})")
    lines += [_text_line(e) for e in by_kind.get("follow_up", [])]
    if lines[-1] == "Vervolgaantekeningen:":
        lines.append("- (nog geen)")
    lines += ["", "Vastgelegd met Meldwijzer. De beslissingen zijn genomen door de school en Veilig Thuis."]
    return "\n".join(lines)
