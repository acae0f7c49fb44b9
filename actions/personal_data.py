"""Spotting a child's full name or a BSN in what staff type, so it is not stored as typed.
No Rasa imports; also used by the tracker store (bot/tracker_store.py).

Staff are asked never to type names; this is the net under that request. A full name is two
capitalised words (with tussenvoegsels such as 'van der' between them) that are not a known
term; at the start of a sentence the first word must also be unknown to the Dutch lexicon
(spacy-lookups-data), so "Vandaag Emma..." is not read as a name but "Emma Jansen..." is.
It errs on the side of caution: a place name such as "Den Haag" is also replaced.
"""
from __future__ import annotations

import gzip
import importlib.util
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import FrozenSet, List, Optional, Tuple

NAME_MARK = "[naam]"
BSN_MARK = "[BSN]"

_CAP = r"[A-ZÀ-ÖØ-Ý][a-zà-öø-ÿ]+(?:[-'’][A-Za-zà-öø-ÿ]+)?"
_PARTICLE = r"(?:van|de|der|den|ter|ten|te|het|'t|el|al|la|le|du|da|di|dos|op|in|von)"
_NINE_DIGITS = re.compile(r"(?<![\d.])(\d(?:[ .]?\d){7,8})(?![\d])")
_SENTENCE_START = re.compile(r"(^|[.!?:;\n]\s*|[\"“‘(]\s*)$")

# Capitalised terms staff use that are not people (two words each, lower case).
KNOWN_TERMS: FrozenSet[str] = frozenset({
    "veilig thuis", "intern begeleider", "jeugdgezondheidszorg jgz", "team jeugd",
    "raad voor", "goede morgen", "beste collega", "lieve groet", "met vriendelijke",
})


@lru_cache(maxsize=1)
def dutch_words() -> FrozenSet[str]:
    """Dutch word forms and lemmas from spacy-lookups-data (offline, in the venv)."""
    import spacy_lookups_data

    path = Path(spacy_lookups_data.__file__).parent / "data" / "nl_lemma_lookup.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        table = json.load(handle)
    return frozenset(w.lower() for pair in table.items() for w in pair) | _stop_words()


def _stop_words() -> FrozenSet[str]:
    """spaCy's Dutch function words ('op', 'daarna'), which the lemma table lacks. Read from
    the file, because importing spaCy here would load TensorFlow into the action server."""
    spec = importlib.util.find_spec("spacy")
    if spec is None or not spec.origin:
        return frozenset()
    source = (Path(spec.origin).parent / "lang" / "nl" / "stop_words.py").read_text(encoding="utf-8")
    match = re.search(r'"""(.*?)"""', source, re.DOTALL)
    return frozenset(match.group(1).split()) if match else frozenset()


def is_bsn(digits: str) -> bool:
    """The 11-check ('elfproef') of a burgerservicenummer."""
    digits = digits.zfill(9)
    if len(digits) != 9 or not digits.isdigit() or digits == "0" * 9:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1))) - int(digits[8])
    return total % 11 == 0


@dataclass(frozen=True)
class Finding:
    kind: str  # "name" | "bsn"
    span: Tuple[int, int]


_CAPITALISED = re.compile(rf"^{_CAP}$")
_PARTICLE_WORD = re.compile(rf"^{_PARTICLE}$", re.IGNORECASE)
_CALENDAR = frozenset(
    "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag januari februari maart april "
    "mei juni juli augustus september oktober november december ochtend middag avond "
    "kerst pasen pinksteren sinterklaas".split())


def find_personal_data(text: str) -> List[Finding]:
    findings: List[Finding] = []
    if not text:
        return findings
    for match in _NINE_DIGITS.finditer(text):
        if is_bsn(re.sub(r"\D", "", match.group(1))):
            findings.append(Finding("bsn", match.span(1)))
    tokens = [(m.group(), m.start(), m.end()) for m in re.finditer(r"[^\s,.!?:;()\"“”]+", text)]
    i = 0
    while i < len(tokens):
        span = _name_at(text, tokens, i)
        if span:
            findings.append(Finding("name", (tokens[i][1], tokens[span][2])))
            i = span + 1
        else:
            i += 1
    return sorted(findings, key=lambda f: f.span)


def _name_at(text: str, tokens: List[Tuple[str, int, int]], i: int) -> Optional[int]:
    """Index of the last token of a full name starting at token i, or None."""
    first = tokens[i][0]
    if not _CAPITALISED.match(first):
        return None
    j = i + 1
    while j < len(tokens) and _PARTICLE_WORD.match(tokens[j][0]) and not _gap(text, tokens, j):
        j += 1
    if j >= len(tokens) or _gap(text, tokens, j) or not _CAPITALISED.match(tokens[j][0]):
        return None
    last = tokens[j][0]
    # Longer names: "Fatima El Amrani", "Anna Maria van Dijk".
    k = j + 1
    while k < len(tokens) and not _gap(text, tokens, k) and (
            _PARTICLE_WORD.match(tokens[k][0]) or _CAPITALISED.match(tokens[k][0])):
        if _CAPITALISED.match(tokens[k][0]) and tokens[k][0].lower() not in _CALENDAR:
            j = k
        k += 1
    pair = f"{first} {last}".lower()
    if pair in KNOWN_TERMS or first.lower() in _CALENDAR or last.lower() in _CALENDAR:
        return None
    known = dutch_words()
    at_start = bool(_SENTENCE_START.search(text[:tokens[i][1]]))
    if at_start and j == i + 1 and first.lower() in known and last.lower() in known:
        return None  # "Vandaag Groep ..." reads as a sentence; "Emma Jansen" does not
    return j


def _gap(text: str, tokens: List[Tuple[str, int, int]], j: int) -> bool:
    """Punctuation between token j-1 and j: not one name ("Jan, Piet")."""
    return bool(re.search(r"[,.!?:;()]", text[tokens[j - 1][2]:tokens[j][1]]))


def redact(text: str) -> Tuple[str, List[str]]:
    """The text with names and BSNs replaced, and the kinds found ('name', 'bsn')."""
    findings = find_personal_data(text)
    if not findings:
        return text, []
    out, last = [], 0
    for finding in findings:
        start, end = finding.span
        if start < last:
            continue  # overlapping finding
        out.append(text[last:start])
        out.append(NAME_MARK if finding.kind == "name" else BSN_MARK)
        last = end
    out.append(text[last:])
    return "".join(out), sorted({f.kind for f in findings})
