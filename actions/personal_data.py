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
_SENTENCE_END = frozenset(".!?:;\n")  # a sentence starts after one of these (and spaces)
_OPENING = frozenset("\"“‘(")  # ... or after an opening quote or bracket
_GAP = re.compile(r"[,.!?:;()]")

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
    """The BSNs and full names in `text`. Linear in its length: each token is classified
    once, and a name's extent is read from arrays built in one pass from the right."""
    findings: List[Finding] = []
    if not text:
        return findings
    for match in _NINE_DIGITS.finditer(text):
        if is_bsn(re.sub(r"\D", "", match.group(1))):
            findings.append(Finding("bsn", match.span(1)))
    tokens = _Tokens(text)
    i = 0
    while i < len(tokens.words):
        last = _name_at(tokens, i)
        if last is not None:
            findings.append(Finding("name", (tokens.starts[i], tokens.ends[last])))
            i = last + 1
        else:
            i += 1
    return sorted(findings, key=lambda f: f.span)


class _Tokens:
    """The words of a text with, per word, what the name check asks about it."""

    def __init__(self, text: str) -> None:
        self.text = text
        matches = list(re.finditer(r"[^\s,.!?:;()\"“”]+", text))
        self.words = [m.group() for m in matches]
        self.starts = [m.start() for m in matches]
        self.ends = [m.end() for m in matches]
        n = len(self.words)
        self.capitalised = [bool(_CAPITALISED.match(w)) for w in self.words]
        self.particle = [bool(_PARTICLE_WORD.match(w)) for w in self.words]
        self.calendar = [w.lower() in _CALENDAR for w in self.words]
        # Punctuation between word j-1 and word j: not one name ("Jan, Piet").
        self.gap = [False] + [bool(_GAP.search(text, self.ends[j - 1], self.starts[j]))
                              for j in range(1, n)]
        # From word j on: the first word that is not a particle joined to the one before
        # (`after_particles`), and the first word that cannot continue a name (`run_end`).
        self.after_particles = [n] * (n + 1)
        self.run_end = [n] * (n + 1)
        for j in range(n - 1, -1, -1):
            joined = not self.gap[j]
            self.after_particles[j] = (self.after_particles[j + 1]
                                       if joined and self.particle[j] else j)
            self.run_end[j] = (self.run_end[j + 1] if joined and (self.particle[j] or self.capitalised[j])
                               else j)
        # Up to word j: the last capitalised word that is no day or month (-1 if none).
        self.last_name_word = []
        latest = -1
        for j in range(n):
            if self.capitalised[j] and not self.calendar[j]:
                latest = j
            self.last_name_word.append(latest)

    def at_sentence_start(self, i: int) -> bool:
        """Word i starts the text, or follows (over spaces) a sentence end or an opening
        quote or bracket; a line break before it also counts."""
        position = self.starts[i]
        if position == 0:
            return True
        while position > 0 and self.text[position - 1].isspace():
            position -= 1
            if self.text[position] == "\n":
                return True
        return position > 0 and (self.text[position - 1] in _SENTENCE_END
                                  or self.text[position - 1] in _OPENING)


def _name_at(tokens: _Tokens, i: int) -> Optional[int]:
    """Index of the last word of a full name starting at word i, or None."""
    if not tokens.capitalised[i]:
        return None
    j = tokens.after_particles[i + 1]
    if j >= len(tokens.words) or tokens.gap[j] or not tokens.capitalised[j]:
        return None
    first, last = tokens.words[i].lower(), tokens.words[j].lower()
    if f"{first} {last}" in KNOWN_TERMS or tokens.calendar[i] or tokens.calendar[j]:
        return None
    # Longer names: "Fatima El Amrani", "Anna Maria van Dijk" (ending on a capitalised word
    # that is no day or month).
    j = max(j, tokens.last_name_word[tokens.run_end[j + 1] - 1])
    if j == i + 1 and tokens.at_sentence_start(i):
        known = dutch_words()
        if first in known and last in known:
            return None  # "Vandaag Groep ..." reads as a sentence; "Emma Jansen" does not
    return j


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
