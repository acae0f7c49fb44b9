"""The safety net: the last NLU component, with the last word on danger and on refusals.

Its floor is a lexicon (`safety_net_signals.yml`) matched with spaCy's Matcher on the lemmas
SpacyNLP already produced: a hit forces `acute_danger` (confidence 1.0) whatever DIET predicted,
with an entity `danger_kind` that picks the variant of the guidance. Above the floor, a
recall-first classifier trained during `rasa train` (bot/safety_net_classifier.py) judges the
whole message and each sentence: what it finds becomes `possible_danger` (the same guidance
outside a form), and a message about a child or home that nothing placed becomes
`check_child_safety` ("Gaat dit over de veiligheid van een kind?") instead of a refusal. A story
about a case already in the meldcode becomes `report_worry`, so the route reads it. The order
is `SafetyNet._decide`. Rasa answers with domain responses chosen by rules, so the guidance needs
no action server and no database.

`SignalDetector` holds all matching logic and has no Rasa imports, so it is tested directly.
"""
from __future__ import annotations

import bisect
import itertools
import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

import yaml
from spacy.matcher import Matcher
from spacy.tokens import Doc

logger = logging.getLogger(__name__)

SIGNALS_FILE = Path(__file__).with_name("safety_net_signals.yml")
ACUTE_INTENT = "acute_danger"
KIND_ENTITY = "danger_kind"
FALLBACK_INTENT = "nlu_fallback"
# Shorter words are too often another real word one letter away ("stond" / "stoned").
FUZZY_MIN_LENGTH = 6
NEAR = 4  # tokens around a combination in which an `unless_near` class suppresses it
# Kinds whose guidance is the general one: a hint may name the danger more precisely.
GENERAL_KINDS = frozenset({"physical", "injury", "neglect", "structural"})
# Flemish, a child's and app spellings of "niet" ("ik wil nie meer leven", "ni naar huis").
NEGATION_SPELLINGS = {"nie": "niet", "ni": "niet", "nt": "niet"}


@dataclass(frozen=True)
class Hit:
    label: str
    start: int  # token index in the doc
    sentence: int


@dataclass
class Detection:
    fired: List[str] = field(default_factory=list)  # names of rules/classes that fired
    kind: Optional[str] = None
    # The variant the kind_hints point to: used when no rule fired (a danger only the classifier
    # found); a precise one ("a child told") also replaces a general kind a rule gave.
    hinted_kind: Optional[str] = None
    labels: Set[str] = field(default_factory=set)  # every lexicon class seen, fired or not

    @property
    def is_danger(self) -> bool:
        return bool(self.fired)


def _deletes(word: str, depth: int) -> Set[str]:
    """All strings reachable from `word` by deleting up to `depth` characters."""
    out = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


def _edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (Levenshtein plus adjacent transpositions)."""
    prev2: List[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


class SignalDetector:
    """Finds danger signals in a spaCy Doc, per the lexicon and rules of the signals file."""

    def __init__(self, spec: Dict[str, Any], known_words: Iterable[str] = ()) -> None:
        self.classes: Dict[str, List[List[List[str]]]] = {
            name: [self._parse_phrase(p) for p in phrases]
            for name, phrases in spec["classes"].items()
        }
        self.rules: List[Dict[str, Any]] = spec["rules"]
        self.kind_hints: List[Dict[str, Any]] = spec.get("kind_hints", [])
        self.strong: Dict[str, str] = spec["strong"]
        self.kind_priority: List[str] = spec["kind_priority"]
        # Classes no rule uses: they only explain the classifier's alarm (EXPLAINED_BY).
        self.explain_only: Set[str] = set(spec.get("explain_only", []))
        self._check_spec()
        self.lexicon: Set[str] = {
            w for phrases in self.classes.values() for phrase in phrases for alts in phrase
            for w in alts if w != "?"
        }
        self.known_words = frozenset(known_words)
        # No word longer than this is within reach of a lexicon word (by swap or edit distance).
        # Checked first: the look-ups below cost O(n^3) in the word's length n, and one long
        # "word" (a pasted blob of letters) would otherwise hang the server and exhaust memory.
        self._longest_reachable = max((len(w) for w in self.lexicon), default=0) + 2
        # Deletion index for fuzzy look-up of misspelled words (SymSpell-style).
        self._fuzzy_index: Dict[str, Set[str]] = {}
        for word in self.lexicon:
            if len(word) >= FUZZY_MIN_LENGTH:
                for variant in _deletes(word, self._max_distance(word)):
                    self._fuzzy_index.setdefault(variant, set()).add(word)
        self._matchers: Dict[int, Matcher] = {}

    @staticmethod
    def _parse_phrase(phrase: str) -> List[List[str]]:
        return [token.split("|") for token in str(phrase).lower().split()]

    @staticmethod
    def _max_distance(word: str) -> int:
        return 2 if len(word) >= 8 else 1

    def _check_spec(self) -> None:
        used = set(self.strong) | self.explain_only
        for rule in self.rules + self.kind_hints:
            used |= set(rule["all"]) | set(rule.get("unless", [])) | set(rule.get("unless_near", []))
            if rule["kind"] not in self.kind_priority:
                raise ValueError(f"rule {rule['name']}: unknown kind {rule['kind']}")
        missing = used - set(self.classes)
        if missing:
            raise ValueError(f"signal classes used but not defined: {sorted(missing)}")
        unused = set(self.classes) - used
        if unused:
            raise ValueError(f"signal classes defined but never used: {sorted(unused)}")
        for kind in self.strong.values():
            if kind not in self.kind_priority:
                raise ValueError(f"unknown kind {kind}")

    # -- token normalisation ---------------------------------------------------------
    @lru_cache(maxsize=20000)
    def key_for(self, lower: str, lemma: str) -> str:
        """The lexicon word a token stands for: its form, its lemma, or a near miss."""
        lower = NEGATION_SPELLINGS.get(lower, lower)
        if lower in self.lexicon:
            return lower
        if lemma in self.lexicon:
            return lemma
        if lower in self.known_words:  # a real word is never "corrected" into a signal
            return lower
        if len(lower) > self._longest_reachable:
            return lower
        # The commonest Dutch spelling slip: d and t swapped ("slaad", "bedast").
        if len(lower) >= 5:
            for i, ch in enumerate(lower):
                if ch in "dt":
                    swapped = lower[:i] + ("t" if ch == "d" else "d") + lower[i + 1 :]
                    if swapped in self.lexicon:
                        return swapped
        if len(lower) >= FUZZY_MIN_LENGTH and lower.isalpha():
            best: Optional[Tuple[int, str]] = None
            for variant in _deletes(lower, self._max_distance(lower)):
                for candidate in self._fuzzy_index.get(variant, ()):
                    distance = _edit_distance(lower, candidate)
                    # A swapped letter in a short word, or two in a longer one, is usually
                    # another word (tussen / zussen, verzorging / verwurging), not a typo;
                    # dropped or doubled letters are.
                    if len(lower) == len(candidate) and (distance == 2 or len(lower) < 7):
                        continue
                    if distance <= self._max_distance(candidate) and (
                        best is None or (distance, candidate) < best
                    ):
                        best = (distance, candidate)
            if best:
                return best[1]
        return lower

    def _matcher(self, doc: Doc) -> Matcher:
        """spaCy's Matcher over the tokens' lexicon keys, one exact-word pattern per choice of
        alternatives ("a|b c" -> "a c", "b c"): exact words are matched in spaCy's C code,
        where an "IN" list or a custom attribute costs a Python call per token and list."""
        vocab_id = id(doc.vocab)
        if vocab_id not in self._matchers:
            matcher = Matcher(doc.vocab)
            for name, phrases in self.classes.items():
                patterns = [
                    [{"OP": "?"} if word is None else {"ORTH": word} for word in words]
                    for phrase in phrases
                    for words in itertools.product(
                        *[[None] if alts == ["?"] else alts for alts in phrase])
                ]
                matcher.add(name, patterns)
            self._matchers[vocab_id] = matcher
        return self._matchers[vocab_id]

    # -- detection -------------------------------------------------------------------
    def hits(self, doc: Doc) -> List[Hit]:
        keys = Doc(doc.vocab, words=[self.key_for(t.lower_, t.lemma_.lower()) for t in doc])
        sentence_of = self._sentence_index(doc)
        matcher = self._matcher(doc)
        return [
            Hit(doc.vocab.strings[match_id], start, sentence_of[start])
            for match_id, start, _end in matcher(keys)
        ]

    @staticmethod
    def _sentence_index(doc: Doc) -> List[int]:
        if not doc.has_annotation("SENT_START"):
            return [0] * len(doc)
        index, current = [], -1
        for token in doc:
            if token.is_sent_start or current < 0:
                current += 1
            index.append(current)
        return index

    def detect(self, doc: Doc) -> Detection:
        hits = self.hits(doc)
        by_label: Dict[str, List[Hit]] = {}
        for hit in hits:
            by_label.setdefault(hit.label, []).append(hit)
        detection = Detection(labels=set(by_label))
        kinds: Set[str] = set()
        for label, kind in self.strong.items():
            if label in by_label:
                detection.fired.append(label)
                kinds.add(kind)
        for rule in self.rules:
            if self._rule_fires(rule, by_label):
                detection.fired.append(rule["name"])
                kinds.add(rule["kind"])
        if kinds:
            detection.kind = min(kinds, key=self.kind_priority.index)
        hinted = {rule["kind"] for rule in self.kind_hints if self._rule_fires(rule, by_label)}
        if hinted:
            detection.hinted_kind = min(hinted, key=self.kind_priority.index)
            if detection.kind in GENERAL_KINDS and detection.hinted_kind not in GENERAL_KINDS:
                detection.kind = detection.hinted_kind  # "a child told": more than "physical"
        return detection

    @staticmethod
    def _rule_fires(rule: Dict[str, Any], by_label: Dict[str, List[Hit]]) -> bool:
        """Whether one hit of every class in `all` lies within the window (and one sentence),
        with no suppressor in that sentence or next to it.

        Only the tightest combinations are tried: for each hit position `low`, every class's
        first hit at or after it. Any other combination starting at `low` spans more tokens,
        so it is never inside the window or clear of suppressors when this one is not (the
        sentence index only grows with the position). Cost: (hits x classes x log hits)
        instead of the product of the hit counts."""
        groups = [sorted({h.start for h in by_label.get(label, [])}) for label in rule["all"]]
        if not all(groups):
            return False
        whole_message = rule.get("scope") == "message"
        window = rule["window"]
        sentence_at = {h.start: h.sentence for label in rule["all"] for h in by_label[label]}
        # `unless`: a suppressor anywhere in the sentence ("klimrek") explains the hit;
        # `unless_near`: only one right next to it does ("door een klasgenoot").
        unless_sentences = {h.sentence for label in rule.get("unless", [])
                            for h in by_label.get(label, [])}
        if whole_message and unless_sentences:
            return False
        near = sorted(h.start for label in rule.get("unless_near", [])
                      for h in by_label.get(label, []))
        for low in sorted(set().union(*groups)):
            firsts = [group[bisect.bisect_left(group, low)] if group[-1] >= low else None
                      for group in groups]
            if None in firsts:
                break  # a class has no hit at or after `low`, nor after any later one
            high = max(firsts)
            if high - low > window:
                continue
            if not whole_message and (sentence_at[low] != sentence_at[high]
                                      or sentence_at[low] in unless_sentences):
                continue
            nearest = bisect.bisect_left(near, low - NEAR)
            if nearest < len(near) and near[nearest] <= high + NEAR:
                continue
            return True
        return False


def load_spec(path: Path = SIGNALS_FILE) -> Dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def known_dutch_words() -> FrozenSet[str]:
    """Word forms and lemmas in spacy-lookups-data's Dutch lemma table (installed, offline).

    A token that is a known Dutch word is never "corrected" to a lexicon word: "vaker"
    stays "vaker" instead of becoming "vader". The same set as the name check's
    (actions/personal_data.py), shared: the Rasa server holds one copy (~25 MB less).
    """
    from actions.personal_data import dutch_words

    return dutch_words()


@lru_cache(maxsize=1)
def default_detector() -> SignalDetector:
    return SignalDetector(load_spec(), known_dutch_words())


# ---------------------------------------------------------------------------------------
# Rasa graph component
# ---------------------------------------------------------------------------------------
from bot import action_validation  # noqa: E402
from rasa.engine.graph import ExecutionContext, GraphComponent  # noqa: E402
from rasa.engine.recipes.default_recipe import DefaultV1Recipe  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.engine.storage.storage import ModelStorage  # noqa: E402
from rasa.nlu.classifiers.classifier import IntentClassifier  # noqa: E402
from rasa.nlu.constants import (  # noqa: E402
    RESPONSE_SELECTOR_DEFAULT_INTENT,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    SPACY_DOCS,
)
from rasa.nlu.utils.spacy_utils import SpacyNLP  # noqa: E402
from rasa.shared.nlu.constants import (  # noqa: E402
    ENTITIES,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402

import joblib  # noqa: E402

from actions.meldcode_story import read_story  # noqa: E402
from bot.safety_net_classifier import ConcernClassifier, Judgement  # noqa: E402
from bot.sentence_focus import asks_meldcode_question, buried_question  # noqa: E402

# This module is loaded with every model, so the Rasa server always has the faster check.
action_validation.install()


# Words that show a message is about a child, a parent, home or family: such a message that
# the classifier cannot place is never turned away (issue 14): the assistant asks whether it
# is about a child's safety. Lemmas and forms, Dutch and Flemish.
FAMILY_WORDS = frozenset("""
kind kinderen kindje kindjes kids kid leerling leerlingen ll lln leerlingetje meisje meiske
meisjes jongen jongetje jongens ventje zoon zoontje dochter dochtertje baby peuter kleuter
puber tiener ouder ouders moeder mama mam mams ma moeke vader papa pap paps pa vake
stiefvader stiefmoeder stiefouder pleegouder pleegmoeder pleegvader voogd oma opa grootouder
oom tante nonkel broer broertje zus zusje zuster gezin familie thuis huis huiselijk thuissituatie
thuisfront vriend partner vriendin
""".split())
# A message in another language (English, mostly) that tells of a parent or home: the question
# "Gaat dit over de veiligheid van een kind?" with 112 and Veilig Thuis, not only "Ik begrijp
# alleen Nederlands" (round 10: a child held under water by his father, written in English).
PARENT_OR_HOME_WORDS_OTHER_LANGUAGE = frozenset("""
dad daddy father mum mummy mom mommy mother parent parents stepdad stepfather stepmother
uncle boyfriend home family
""".split())
CHILD_SAFETY_CHECK_INTENT = "check_child_safety"
FAQ_INTENT = "faq"
GREET_INTENT = "greet"
# "Hallo, ik ben de nieuwe IB'er van de Regenboog.": a greeting with who the writer is, no question.
INTRODUCTION = re.compile(
    r"^\W*(hallo|hoi|hey|hai|hee|goedemorgen|goedemiddag|goedenavond|dag|beste|hello|hi)\b[^.?]{0,40}?\bik ben "
    r"(de |een |hier |dus )?(nieuwe |vaste |invallende )?(juf|meester|leerkracht|lkr|ib|ib'?er|ib-er|intern begeleider|"
    r"zorgco[öo]rdinator|zorgleerkracht|directeur|directrice|adjunct|smw|smw'?er|\w*maatschappelijk werker|"
    r"gymdocent|gymleraar|vakleerkracht|stagiair\w*|invaller|conci[ëe]rge|overblijf\w*|teamleider|"
    r"bouwco[öo]rdinator|ambulant begeleider|aandachtsfunctionaris)\b", re.IGNORECASE)
INTRODUCTION_MAX_WORDS = 40
# A question of the meldcode in one sentence of a long message the intent model took for a school
# matter is a look-up when the answer model, which reads that sentence (bot/sentence_focus.py),
# is this sure of its answer.
BURIED_QUESTION_ANSWER = 0.5
# A question told with a worry ("… hoe bouw ik dat gesprek op?") is a look-up when the answer model
# is this sure of its answer.
SURE_ANSWER = 0.85
# Any other question of the meldcode the intent model took for a school matter (a short message:
# "Hoe zet ik in het dossier wat de overblijf vertelde?") is a look-up when the answer model is this
# sure of its answer; SURE_ANSWER when the classifier reads a worry in it (then the offer of the
# route follows).
PLAIN_QUESTION_ANSWER = 0.6
POSSIBLE_DANGER_INTENT = "possible_danger"
WORRY_INTENT = "report_worry"
# What the classifier may take over: messages DIET could not place, or placed as off-topic.
UNPLACED_INTENTS = frozenset({"out_of_scope", "school_matter", FALLBACK_INTENT})
# Commands and small talk: never what a long message about something else is ("Wat ik me bij al die
# overdrachten afvroeg: …?" read as "mijn casussen"), so its buried question may take their place.
COMMAND_INTENTS = frozenset({"my_cases", "close_case", "export_case", "pause", "resume", "greet", "goodbye",
                             "thank", "help", "bot_challenge", "ask_faq_list"})
# The intent model learned long danger messages whole, so it can call a long calm message
# (the Christmas dinner, a letter about the school trip) acute_danger. Without a lexicon hit
# its acute_danger stands only if the classifier, which judges sentence by sentence, gives at
# least this share of its own danger threshold; otherwise the message gets the question
# "Gaat dit over de veiligheid van een kind?" (with 112 and 0800-2000), never a refusal.
INTENT_ACUTE_CONFIRM = 1.0  # share of the classifier's danger threshold
# When the intent model placed a message as something calm (a school matter, a FAQ question,
# small talk), the classifier alone must be at least this sure (and above its own thresholds)
# to give the guidance; below it, the message gets the question about a child's safety. Where
# the intent model is unsure or calls it a worry, the classifier's recall threshold applies.
# Chosen on the four rounds and tests/safety together (regression sets, 458 danger and 324 calm
# messages): 0.5 and 0.65 keep the same recall (99.3 %), 0.65 has fewer false alarms (4.0 %
# against 4.6 %); 0.8 loses two danger messages.
DISAGREEING_DANGER = 0.65
DIET_UNSURE = frozenset({WORRY_INTENT, FALLBACK_INTENT})
# A school matter the intent model is this sure of, that the classifier finds no concern in,
# keeps its answer even when it names a parent or home ("ouders vragen naar de schoolreis").
SURELY_PLACED = 0.9
# Answers to the route's closed questions keep their intent (the form reads them as ja/nee):
# only the lexicon may override them, when they are this short. A longer message the intent
# model calls "ja", "nee" or "twijfel" ("ik kan niet meer, morgen ben ik er niet meer", read as
# doubt) is judged like any other.
ANSWER_INTENTS = frozenset({"affirm", "deny", "doubt", "dont_know"})
SHORT_ANSWER_WORDS = 8
# The lexicon's explanations ("van het klimrek gevallen", "met gym", "een klasgenoot", "een
# spelletje"): with one of these and no sign of suspicion ("weer", "klopt niet", "vertelde"),
# what only the classifier finds gets the question, not the guidance; but not when the
# classifier is this sure ("een man die ze via een game kent vraagt om foto's" is not explained
# by the word "game").
EXPLAINED_BY = frozenset({"accident_cause", "fell", "school_perpetrator", "idiom", "play", "school_care",
                          "affection", "grief"})
EXPLAINED_BELOW = 0.85
SUSPICION_SIGNS = frozenset({"fear_home", "threat", "threatened"})
# "Weer", "klopt niet" and "vertelde" doubt an accident, a fall or a game; they doubt nothing about
# head lice, a first school day, a note of thanks or a grandparent's funeral (CARE_EXPLANATIONS)
# unless an injury or violence is named too, or a kind hint fired ("kind zegt dat papa …").
DOUBTS = frozenset({"injury_suspicion", "disclosure"})
CARE_EXPLANATIONS = frozenset({"school_care", "affection", "grief"})
HARM_WORDS = frozenset({"injury", "violence"})


def suspicious(detection: Detection) -> bool:
    """Whether the message holds a sign that an explanation the lexicon found does not hold."""
    labels = detection.labels
    if labels & SUSPICION_SIGNS:
        return True
    if not labels & DOUBTS:
        return False
    return bool(labels & (EXPLAINED_BY - CARE_EXPLANATIONS)) or bool(labels & HARM_WORDS) \
        or detection.hinted_kind is not None


# A story about a case already in the meldcode ("met de IB besproken, oudergesprek gehad, we
# hebben een vermoeden") belongs in the route, which reads it (actions/meldcode_story.py).
# (What a fact implies, such as "the conversation could be held" after "oudergesprek gehad",
# is not counted as a second statement.)
PROGRESS_FACTS = frozenset({"s1_signalen", "s2_ib", "s2_advies", "s3_gevoerd", "afweging_1",
                            "afweging_2", "afweging_3", "afweging_4", "afweging_5"})
QUESTION = re.compile(r"\?|^\s*(wie|wat|wanneer|waarom|hoe|welke|mag|moet|kan|kun|als|stel)\b"
                      r"|\b(mag ik|moet ik|kan ik|mogen we|moeten we|kunnen we|hoe moet|wie moet|wat moet)\b"
                      # a question asked without a question mark: "ik vraag me af wanneer …"
                      r"|\b(vraag|vroeg) (ik )?me (nu |dan |dus |wel |toch )?af\b|\bafvroeg\b|\bben (ik )?benieuwd\b",
                      re.IGNORECASE)
CASE_STORY_MIN_WORDS = 15  # one step named in a message this long tells a case
SURE_LOOKUP = 0.8  # a FAQ question this sure tells a case only when it states three steps
CLASSIFIER_FILE = "safety_net_classifier.joblib"
OTHER_LANGUAGE_INTENT = "other_language"
# Mixed text is Dutch when Dutch function words make up this many, and this share, of its words.
# Not the lexicon's known words: those hold "student", "me", "her", "do" and other English.
MOSTLY_DUTCH_WORDS = 4
MOSTLY_DUTCH_SHARE = 0.25
DUTCH_FUNCTION_WORDS = frozenset("""
de het een en ik je jij niet van dat die wat op met voor maar ook hoe waarom moet moeten kan kunnen
heb hebben heeft er wel nog al naar bij uit om te zo dan als of mijn haar ze we wij jullie hij zij
mij mag wordt worden deze dit daar hier geen nu eigenlijk precies waar wie wanneer welke zijn
""".split())


def reads_as_dutch(doc: Optional[Doc], known: FrozenSet[str]) -> bool:
    """Enough known Dutch words for the classifier (trained on Dutch) to judge the text: keyboard
    mash, a URL or another language is not judged by it (the lexicon still is)."""
    return _dutch_words(doc, known, 2, 0.3)


def mostly_dutch(doc: Optional[Doc], known: FrozenSet[str]) -> bool:
    """Dutch with some English in it ("What exactly is die meldcode, en waarom …?"): a Dutch
    message, whatever the intent model's `other_language` says."""
    return _dutch_words(doc, DUTCH_FUNCTION_WORDS, MOSTLY_DUTCH_WORDS, MOSTLY_DUTCH_SHARE)


def _dutch_words(doc: Optional[Doc], vocabulary: FrozenSet[str], least: int, share: float) -> bool:
    """At least `least` words of the vocabulary, and at least `share` of the words."""
    if doc is None:
        return False
    words = [t.lower_ for t in doc if t.is_alpha]
    dutch = sum(1 for w in words if w in vocabulary)
    return dutch >= least and dutch >= share * len(words)


def no_known_word(doc: Optional[Doc], known: FrozenSet[str]) -> bool:
    """Not one known Dutch word: keyboard mash ("asdf qwer jjjj"), digits, symbols."""
    return doc is not None and not any(t.lower_ in known for t in doc if t.is_alpha)


def mentions_family(doc: Optional[Doc], text: str) -> bool:
    if doc is not None:
        return any(t.lower_ in FAMILY_WORDS or t.lemma_.lower() in FAMILY_WORDS for t in doc)
    return any(word in FAMILY_WORDS for word in text.lower().split())


def tells_of_parent_or_home(doc: Optional[Doc], text: str) -> bool:
    """A parent, home or family named, in Dutch (mentions_family) or in English."""
    tokens = [t.lower_ for t in doc] if doc is not None else text.lower().split()
    return mentions_family(doc, text) or any(token in PARENT_OR_HOME_WORDS_OTHER_LANGUAGE for token in tokens)


def training_label(intent: Optional[str]) -> str:
    return {ACUTE_INTENT: "danger", "report_worry": "worry"}.get(intent or "", "other")


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True
)
class SafetyNet(GraphComponent, IntentClassifier):
    """The last word on safety (see module docstring): the lexicon rules force `acute_danger`;
    the trained classifier (bot/safety_net_classifier.py) adds `possible_danger` for danger
    the lexicon does not know, and `check_child_safety` for a message about a child or home
    that the intent model could not place (instead of a refusal)."""

    @classmethod
    def required_components(cls) -> List[type]:
        # It also needs an intent classifier before it (config.yml puts it last); not declared,
        # because in the training graph the intent classifier's node is not upstream of this
        # component's (its own training needs only the texts and their intents).
        return [SpacyNLP]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"intent": ACUTE_INTENT, "use_classifier": True}

    def __init__(self, config: Dict[str, Any], model_storage: Optional[ModelStorage] = None,
                 resource: Optional[Resource] = None,
                 classifier: Optional[ConcernClassifier] = None) -> None:
        self.intent = config["intent"]
        self.use_classifier = config.get("use_classifier", True)
        self.detector = default_detector()
        self._model_storage = model_storage
        self._resource = resource
        self.classifier = classifier

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SafetyNet":
        return cls(config, model_storage, resource)

    # -- training: the classifier learns from the NLU data, thresholds chosen for recall ----
    def train(self, training_data: TrainingData) -> Resource:
        if not self.use_classifier:
            return self._resource  # type: ignore[return-value]
        texts, labels, floor = [], [], []
        for example in training_data.intent_examples:
            text = example.get(TEXT)
            if text:
                texts.append(text)
                labels.append(training_label(example.get(INTENT)))
                doc = example.get(SPACY_DOCS[TEXT])
                floor.append(doc is not None and self.detector.detect(doc).is_danger)
        self.classifier = ConcernClassifier.fit(texts, labels, floor)
        logger.info("safety net classifier: %s", self.classifier.report)
        with self._model_storage.write_to(self._resource) as directory:  # type: ignore[union-attr]
            joblib.dump(self.classifier, directory / CLASSIFIER_FILE)
        return self._resource  # type: ignore[return-value]

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "SafetyNet":
        classifier = None
        try:
            with model_storage.read_from(resource) as directory:
                path = directory / CLASSIFIER_FILE
                if path.exists():
                    classifier = joblib.load(path)
        except ValueError:
            logger.warning("safety net: no trained classifier in this model; lexicon rules only")
        return cls(config, model_storage, resource, classifier)

    # -- use -------------------------------------------------------------------------------
    @staticmethod
    def _case_facts(text: str, intent: Dict[str, Any]) -> Set[str]:
        """The steps and weighings a story of a case in the meldcode names: two or more, or one
        in a long message (a sure FAQ question that names one, "wat als ouders hulp weigeren?",
        stays a question); empty when the text tells no case."""
        story = read_story(text, imply_acceptance=False)
        # "de IB weet het nog niet" or "niet in het zorgteam besproken" is not progress.
        facts = {key for key in PROGRESS_FACTS.intersection(story) if not (key == "s2_ib" and story[key] != "ja")}
        lookup = intent.get(INTENT_NAME_KEY) == "faq" and bool(QUESTION.search(text))
        # A question the intent model is sure is a look-up ("moet ik echt eerst met de ouders
        # praten voor ik Veilig Thuis bel? bij ons ging dat via het CLB") needs more to be a case.
        sure_lookup = lookup and "?" in text and (intent.get(PREDICTED_CONFIDENCE_KEY) or 0) >= SURE_LOOKUP
        if len(facts) >= (3 if sure_lookup else 2):
            return facts
        return facts if facts and len(text.split()) >= CASE_STORY_MIN_WORDS and not lookup else set()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._process_one(message)
        return messages

    def _process_one(self, message: Message) -> None:
        doc = message.get(SPACY_DOCS[TEXT])
        text = message.get(TEXT) or ""
        detection = self.detector.detect(doc) if doc is not None else Detection()
        intent = message.get(INTENT) or {}
        predicted = intent.get(INTENT_NAME_KEY)
        relabelled = None
        if predicted == OTHER_LANGUAGE_INTENT and mostly_dutch(doc, self.detector.known_words):
            # A Dutch message with English in it is Dutch: the intent model's next guess counts.
            intent = next((r for r in message.get(INTENT_RANKING_KEY) or []
                           if r.get(INTENT_NAME_KEY) not in (OTHER_LANGUAGE_INTENT, FALLBACK_INTENT)), intent)
            predicted = relabelled = intent.get(INTENT_NAME_KEY)
        judgement = (self.classifier.judge(text) if self.classifier is not None and text.strip()
                     and reads_as_dutch(doc, self.detector.known_words) else None)
        fired = list(detection.fired)
        forced = self._decide(doc, text, intent, detection, judgement, fired,
                              answer_confidence=self._answer_confidence(message)) or relabelled
        # A worry asked as a question gets the answer and then the offer of the route (actions/lookups.py).
        concern = (judgement is not None and self.classifier.is_concern(judgement)) \
            or (forced == FAQ_INTENT and predicted == WORRY_INTENT)
        if judgement is not None:
            # What the classifier thought, for every message (actions/lookups.py offers the
            # route after a FAQ answer to a message that describes a worry).
            message.set("safety_net", {"fired": fired, "classifier_intent": predicted, "concern": concern},
                        add_to_output=True)
        if forced is None and predicted != self.intent:
            return
        ranking = [
            r for r in message.get(INTENT_RANKING_KEY) or []
            if r.get(INTENT_NAME_KEY) not in (self.intent, forced)
        ]
        # What the classifier itself thought (a FAQ question that names a danger gets
        # the guidance first and then its answer: actions/lookups.py).
        classifier_intent = next(
            (r.get(INTENT_NAME_KEY) for r in ranking if r.get(INTENT_NAME_KEY) != FALLBACK_INTENT),
            None,
        )
        message.set(
            "safety_net",
            {"fired": fired, "classifier_intent": classifier_intent,
             "concern": concern,
             "scores": None if judgement is None else
             {"danger": round(judgement.danger, 3), "concern": round(judgement.concern, 3)}},
            add_to_output=True,
        )
        if forced is not None:
            chosen = {INTENT_NAME_KEY: forced, PREDICTED_CONFIDENCE_KEY: 1.0}
            message.set(INTENT, chosen, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [chosen] + ranking, add_to_output=True)
            # Rule names only: never the message text (it may identify a child).
            logger.info("safety net chose %s (%s)", forced, ",".join(fired))
        if (forced or predicted) not in (self.intent, POSSIBLE_DANGER_INTENT):
            return  # the danger kind goes only with the guidance
        entities = [
            e for e in message.get(ENTITIES) or [] if e.get(ENTITY_ATTRIBUTE_TYPE) != KIND_ENTITY
        ]
        entities.append(
            {
                ENTITY_ATTRIBUTE_TYPE: KIND_ENTITY,
                ENTITY_ATTRIBUTE_VALUE: detection.kind or detection.hinted_kind or "other",
                EXTRACTOR: type(self).__name__,
            }
        )
        message.set(ENTITIES, entities, add_to_output=True)

    @staticmethod
    def _answer_confidence(message: Message) -> float:
        """How sure the answer model (ResponseSelector, before this component) is of its answer."""
        selected = (message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}).get(RESPONSE_SELECTOR_DEFAULT_INTENT) or {}
        return float((selected.get("response") or {}).get(PREDICTED_CONFIDENCE_KEY) or 0.0)

    def _decide(self, doc: Optional[Doc], text: str, intent: Dict[str, Any], detection: Detection,
                judgement: Optional[Judgement], fired: List[str], answer_confidence: float = 0.0) -> Optional[str]:
        """The intent the safety net puts in place of the intent model's, or None to keep it.
        In order: the lexicon; a story of a case (the route); the intent model's own acute_danger,
        which needs the classifier's confirmation (or the lexicon) to stand; the classifier's
        danger; then, with no danger found, what the intent model could not place: a worry asked
        as a question, a question buried in a long message or a short question of the meldcode
        (the answer), an introduction (the greeting), a message about a child or home (the question
        whether it is about safety)."""
        predicted = intent.get(INTENT_NAME_KEY)
        labels = detection.labels if judgement is not None else set()
        explained = bool(labels & EXPLAINED_BY) and not suspicious(detection) \
            and (judgement is None or judgement.danger < EXPLAINED_BELOW)
        worried = judgement is not None and self.classifier.is_concern(judgement)
        if detection.is_danger:
            return self.intent if predicted != self.intent else None
        case = self._case_facts(text, intent) if predicted not in (self.intent, WORRY_INTENT) else set()
        # One step named beside words the classifier is sure are danger ("net een gesprek gehad
        # met vader, hij zei: ik sla hem het ziekenhuis in") is a danger report, not a case.
        if len(case) >= 2 or (case and not (judgement is not None and self.classifier.is_sure_danger(judgement))):
            return WORRY_INTENT
        if predicted == self.intent:
            if judgement is not None and (
                    explained or judgement.danger < INTENT_ACUTE_CONFIRM * self.classifier.thresholds["danger"]):
                return CHILD_SAFETY_CHECK_INTENT  # the intent model's acute_danger not confirmed: ask
            if no_known_word(doc, self.detector.known_words):
                return FALLBACK_INTENT  # its guess on keyboard mash is no danger report
            return None
        an_answer = predicted in ANSWER_INTENTS and len(text.split()) <= SHORT_ANSWER_WORDS
        if not an_answer and judgement is not None and self.classifier.is_danger(judgement):
            if explained:
                return CHILD_SAFETY_CHECK_INTENT if predicted != "faq" else None
            if predicted in DIET_UNSURE or (self.classifier.is_sure_danger(judgement)
                                            and judgement.danger >= DISAGREEING_DANGER):
                fired.append("classifier")
                return POSSIBLE_DANGER_INTENT
            return CHILD_SAFETY_CHECK_INTENT if predicted != "faq" else None
        if predicted == WORRY_INTENT and "?" in text and answer_confidence >= SURE_ANSWER \
                and len(PROGRESS_FACTS.intersection(read_story(text, imply_acceptance=False))) < 3:
            # "Hij komt steeds zonder ontbijt, ik wil met vader praten: hoe pak ik dat aan?": a question
            # the answer model is sure of, about a worry with no danger the classifier found and fewer
            # steps of a case than a story tells (as for a sure look-up, SURE_LOOKUP). The answer,
            # then the offer to go through the steps (actions/lookups.py).
            return FAQ_INTENT
        if (predicted in UNPLACED_INTENTS or predicted in COMMAND_INTENTS) and doc is not None \
                and buried_question(doc) and answer_confidence >= BURIED_QUESTION_ANSWER:
            return FAQ_INTENT  # "tussendoor: …?" in a message about the school trip
        if predicted in UNPLACED_INTENTS and doc is not None and asks_meldcode_question(doc):
            if answer_confidence >= (SURE_ANSWER if worried else PLAIN_QUESTION_ANSWER):
                return FAQ_INTENT  # "hoe zet ik dat in het dossier?" after what others told
        if predicted == OTHER_LANGUAGE_INTENT and tells_of_parent_or_home(doc, text):
            return CHILD_SAFETY_CHECK_INTENT
        unsure_answer = predicted == FAQ_INTENT and answer_confidence < BURIED_QUESTION_ANSWER
        if (predicted in UNPLACED_INTENTS or unsure_answer) and INTRODUCTION.match(text) and "?" not in text \
                and len(text.split()) <= INTRODUCTION_MAX_WORDS \
                and not worried:
            return GREET_INTENT  # "Hallo, ik ben juf van groep 6": the introduction and the menu
        if predicted in UNPLACED_INTENTS and (
            worried
            or (mentions_family(doc, text) and (intent.get(PREDICTED_CONFIDENCE_KEY) or 0) < SURELY_PLACED)
        ):
            return CHILD_SAFETY_CHECK_INTENT
        return None
