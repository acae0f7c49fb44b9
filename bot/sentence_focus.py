"""The answer model reads the meldcode sentences of a long message.

Staff often put their question in one sentence of a long message about something else (the
school trip, the Christmas musical, a study day's agenda): "Tussendoor: mag ik Veilig Thuis
anoniem bellen?". Read whole, such a message gets the FAQ answer that fits the trip best. This
featurizer is a CountVectorsFeaturizer that, in a message of at least `min_sentences` sentences
and `min_tokens` tokens, counts only the sentences that name something of the meldcode (its
words below: Veilig Thuis, the IB'er, a worry, the parents' conversation, help, the file …).
When no sentence or every sentence does, it counts the whole message.

Only the ResponseSelector reads these features (config.yml, `featurizers`); the intent model
reads the whole message through the plain featurizers, and the safety net and the route's story
reader read the whole text, so a danger anywhere in a message is judged as before.
"""
from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Text

from spacy.tokens import Doc

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import SPACY_DOCS, TOKENS_NAMES
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

# Words (whole tokens, lowercased) and word starts that name the meldcode's people, steps and
# concerns. Everyday school words ("ouders", "kind", "thuis") are not among them: every
# sentence about the school trip has those.
MELDCODE_WORD = re.compile(
    r"(meldcode|melden|meldt|meldde|melding|veilig|vt|amk|clb|ib|ib'?er|ib-er|ib'ers|intern|"
    r"zorg|zorgen|zorgelijk|zorgsignalen|bezorgd|vermoeden|vermoed|signaal|signalen|pluis|"
    r"mishandel\w*|kindermishandeling|geweld|huiselijk|thuissituatie|oudergesprek\w*|"
    r"maatschappelijk|smw|smw'?er|schoolmaatschappelijk\w*|wijkteam|jgz|jeugdarts|schoolarts|"
    r"jeugdverpleegkundige|aandachtsfunctionaris|casushouder|dossier|verwijsindex|sisa|"
    r"zorgteam|ondersteuningsteam|hulp|hulpverlen\w*|traject|kindcheck|advies|afweging\w*|"
    r"onveilig\w*|veiligheid|acuut|verhuis\w*|verhuizing|uitgeschreven|uitschrijven|toestemming|"
    r"wijkagent|politie|jeugdzorg|aangifte|vertrouwenspersoon|gedragsdeskundige|diagnose)"
)

# The defaults of the featurizer (config.yml does not change them).
MIN_SENTENCES = 4
MIN_TOKENS = 60


def names_meldcode(words: Iterable[str]) -> bool:
    return any(MELDCODE_WORD.fullmatch(word.lower()) for word in words)


def focus(tokens: List[Token], sentence_starts: List[int], min_sentences: int, min_tokens: int) -> List[Token]:
    """The tokens of the sentences that name the meldcode, or all of them (see module docstring).
    `sentence_starts`: the character offset at which each sentence starts, ascending."""
    if len(tokens) < min_tokens or len(sentence_starts) < min_sentences:
        return tokens
    sentences: List[List[Token]] = [[] for _ in sentence_starts]
    index = 0
    for token in tokens:
        while index + 1 < len(sentence_starts) and token.start >= sentence_starts[index + 1]:
            index += 1
        sentences[index].append(token)
    sentences = [s for s in sentences if s]
    kept = [s for s in sentences if names_meldcode(t.text for t in s)]
    if not kept or len(kept) == len(sentences):
        return tokens
    return [token for sentence in kept for token in sentence]


def buried_question(doc: Doc, min_sentences: int = MIN_SENTENCES, min_tokens: int = MIN_TOKENS) -> bool:
    """Whether a long message about something else asks a question of the meldcode in one of its
    sentences: the sentences the answer model reads are some, not all, and one is a question."""
    sentences = list(doc.sents)
    if len(doc) < min_tokens or len(sentences) < min_sentences:
        return False
    kept = [s for s in sentences if names_meldcode(t.text for t in s)]
    return len(kept) < len(sentences) and asks_meldcode_question(doc)


def asks_meldcode_question(doc: Doc) -> bool:
    """Whether one of the message's sentences is a question that names the meldcode ("Moet ik erbij
    zetten van wie ik het heb in het dossier?"), whatever the length of the message."""
    return any("?" in s.text and names_meldcode(t.text for t in s) for s in doc.sents)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True)
class FocusedCountVectorsFeaturizer(CountVectorsFeaturizer):
    """Rasa's CountVectorsFeaturizer on the meldcode sentences of a long message's text."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**CountVectorsFeaturizer.get_default_config(), "min_sentences": MIN_SENTENCES,
                "min_tokens": MIN_TOKENS}

    def _get_message_tokens_by_attribute(self, message: Message, attribute: Text) -> List[Text]:
        tokens = message.get(TOKENS_NAMES[attribute])
        doc = message.get(SPACY_DOCS[TEXT]) if attribute == TEXT else None
        if tokens and doc is not None:
            tokens = focus(tokens, [s.start_char for s in doc.sents],
                           int(self._config["min_sentences"]), int(self._config["min_tokens"]))
        return [t.lemma if self.use_lemma else t.text for t in tokens or []]
