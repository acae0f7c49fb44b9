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


def section(title: str, items: List[str], empty: Optional[str] = "- (nog geen)") -> List[str]:
    """A heading with its lines; with no lines, `empty` (or nothing at all when None)."""
    if not items:
        return ["", title, empty] if empty else []
    return ["", title, *items]


def _step_line(entry: EntryView) -> Optional[str]:
    if entry.answer and entry.question:
        changed = " (antwoord gewijzigd)" if entry.outcome == "answer_changed" else ""
        return (f"- {local(entry.at)} stap {STEP_OF.get(entry.question)}: {question_label(entry.question)} "
                f"{ANSWER_WORDS.get(entry.answer, entry.answer)}{changed}")
    status, _, key = (entry.outcome or "").partition(":")
    if status in ("wait", "stopped"):
        return f"- {local(entry.at)}: {'wacht' if status == 'wait' else 'route gestopt'} ({key})"
    return None


def dossier_note(case: CaseView, exported_at: dt.datetime, school_name: Optional[str] = None) -> str:
    by_kind: Dict[str, List[EntryView]] = {}
    for entry in case.entries:
        if entry.text is not None and entry.kind:
            by_kind.setdefault(entry.kind, []).append(entry)

    def texts(kind: str, keep=lambda e: True) -> List[str]:
        return [_text_line(e) for e in by_kind.get(kind, []) if keep(e)]

    contacts = [f"- {local(e.at)}: {question_label(e.question)} {ANSWER_WORDS.get(e.answer, e.answer)}"
                for e in case.entries if e.question in ("s2_ib", "s2_advies", "s2_toestemming") and e.answer]
    decisions = [f"- {local(d.at)}: {decision_label(d.decision)}. Antwoorden afweging "
                 + ", ".join(f"{k.rsplit('_', 1)[1]}: {ANSWER_WORDS.get(v, v)}" for k, v in sorted(d.answers.items()))
                 + "." + (" Vragen 3-5 samen met Veilig Thuis." if d.with_vt else "")
                 for d in case.decisions]
    if case.conclusion:
        decisions.append(f"- {local(case.closed_at)}: Afgesloten. Conclusie: {case.conclusion}")
    follow_ups = [f"- uiterlijk {local(f.due_at, with_time=False)}: {FOLLOW_UPS.get(f.kind, f.kind)} "
                  f"({'herinnerd ' + local(f.sent_at) if f.sent_at else 'open'})" for f in case.follow_ups]
    parents = PARENTS.get(case.parents_discussed or "", "nog niet besproken")
    status = "open" if case.status == "open" else "afgesloten " + local(case.closed_at)
    lines = [
        f"DOSSIERNOTITIE MELDCODE - casus {case.code}",
        f"School: {school_name or case.school_id}",
        f"Geopend: {local(case.opened_at)}   Status: {status}",
        f"Casushouder: {case.casushouder or '-'}",
        f"Geëxporteerd: {local(exported_at)}. Geen namen: gebruik de casuscode.",
        *section("Datum, plaats, situatie en overige aanwezigen:",
                 texts("fact", lambda e: e.question == "s1_context"), "- (niet ingevuld)"),
        *section("Signalen (gezien, gehoord, geroken):",
                 texts("fact", lambda e: e.question != "s1_context"), "- (niet ingevuld)"),
        *section("Wat het kind zelf zei (letterlijk):", texts("child_words"), None),
        *section("Vermoedens (als vermoeden vastgelegd):", texts("hypothesis"), None),
        *section("Informatie van derden (met bron):", texts("third_party"), None),
        *section("Contacten over deze signalen:", contacts + texts("contact")),
        "", f"Gesprek met de ouders: {parents}.",
        *([f"Reden: {case.parents_reason}"] if case.parents_reason else []),
        *section("Stappen:", [line for line in map(_step_line, case.entries) if line], None),
        *section("Besluiten:", decisions),
        *section("Vervolgaantekeningen:", follow_ups + texts("follow_up")),
    ]
    lines += ["", "Vastgelegd met Meldwijzer. De beslissingen zijn genomen door de school en Veilig Thuis."]
    return "\n".join(lines)
